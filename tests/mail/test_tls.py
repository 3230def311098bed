"""Mail over TLS: STARTTLS (the default for `smtp://`) and implicit TLS (`smtps://`) each
deliver through a loopback server with a self-signed certificate the client trusts, and an
untrusted certificate or a server without STARTTLS makes the send fail before the password
is sent."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from support_analytics.config import Settings
from support_analytics.mail.message import Mail
from support_analytics.mail.transport import MailNotSent, send
from tests.mail.smtp import PASSWORD, USER, Mailbox, free_port, smtp_server

MAIL = Mail(to="tls@tests.example", subject="Over TLS", text="plain body", html="<p>body</p>")


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    directory = tmp_path_factory.mktemp("tls")
    return {name: _certificate(directory, name) for name in ("trusted", "stranger")}


@pytest.fixture
def trusted(
    monkeypatch: pytest.MonkeyPatch, certificates: dict[str, tuple[Path, Path]]
) -> tuple[Path, Path]:
    # ssl.create_default_context() reads SSL_CERT_FILE when it is called: the client trusts
    # this certificate (and nothing else).
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["trusted"][0]))
    return certificates["trusted"]


@contextmanager
def _tls_server(cert: Path, key: Path, *, implicit: bool) -> Iterator[tuple[Mailbox, int]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    port = free_port()
    controller = (
        Controller(
            mailbox,
            hostname="127.0.0.1",
            port=port,
            ssl_context=context,
            authenticator=mailbox.authenticate,
            auth_require_tls=False,
        )
        if implicit
        else Controller(
            mailbox,
            hostname="127.0.0.1",
            port=port,
            tls_context=context,
            require_starttls=True,
            authenticator=mailbox.authenticate,
            auth_require_tls=True,
        )
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _settings(url: str) -> Settings:
    return Settings(smtp_url=url)


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_a_mail_is_delivered_over_tls_to_a_trusted_server(
    scheme: str, trusted: tuple[Path, Path]
) -> None:
    with _tls_server(*trusted, implicit=scheme == "smtps") as (mailbox, port):
        send(MAIL, _settings(f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}"))
        [mail] = mailbox.wait_for(1)
    assert mail.recipients == ("tls@tests.example",)
    assert mail.message["Subject"] == "Over TLS"
    assert mailbox.logins == [USER]


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_a_server_with_an_untrusted_certificate_gets_no_mail_and_no_password(
    scheme: str,
    trusted: tuple[Path, Path],
    certificates: dict[str, tuple[Path, Path]],
) -> None:
    del trusted
    stranger = certificates["stranger"]
    with (
        _tls_server(*stranger, implicit=scheme == "smtps") as (mailbox, port),
        pytest.raises(MailNotSent, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        send(MAIL, _settings(f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}"))
    assert mailbox.received == []
    assert mailbox.logins == []


def test_a_server_without_starttls_gets_no_mail_and_no_password(
    trusted: tuple[Path, Path],
) -> None:
    del trusted
    # This server offers AUTH over plain text: a fallback would log in and deliver.
    with (
        smtp_server(with_auth=True) as (mailbox, port),
        pytest.raises(MailNotSent, match="STARTTLS"),
    ):
        send(MAIL, _settings(f"smtp://{USER}:{PASSWORD}@127.0.0.1:{port}"))
    assert mailbox.received == []
    assert mailbox.logins == []
