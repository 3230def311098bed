"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and a way to make
the app send through it."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USER = "mailer"
PASSWORD = "smtp-secret-Zq81"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage[str, str]

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, subtype
        assert isinstance(body, EmailMessage)
        content = body.get_content()
        assert isinstance(content, str)
        return content


@dataclass
class Mailbox:
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        del server, session
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), parsed))
        return "250 OK"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth: object
    ) -> AuthResult:
        del server, session, envelope, mechanism
        if isinstance(auth, LoginPassword) and auth.login.decode() == USER:
            self.logins.append(auth.login.decode())
            return AuthResult(success=auth.password.decode() == PASSWORD)
        return AuthResult(success=False)

    def wait_for(self, count: int, *, seconds: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(*, with_auth: bool = False) -> Iterator[tuple[Mailbox, int]]:
    """A server without STARTTLS on 127.0.0.1 (a local relay); stopped on exit."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=mailbox.authenticate if with_auth else None,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
