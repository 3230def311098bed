"""Hands a rendered mail to the SMTP server `SUPPORT_ANALYTICS_SMTP_URL` names, or writes it
to the log when no server is configured.

`smtp://` upgrades with STARTTLS before anything else is said, and refuses to go on when the
server does not offer it (`?starttls=off` opts out, for a relay on the same machine);
`smtps://` speaks TLS from the first byte. Certificates are verified with the system's
trust store. The log never carries the SMTP password or, once a server is configured, a
mail's body (bodies hold single-use links)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from support_analytics.config import Settings
from support_analytics.mail.message import Mail, to_email

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 20.0


class MailNotSent(Exception):
    """The server refused or could not be reached; the job retries it."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        implicit = parts.scheme == "smtps"
        options = parse_qs(parts.query)
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 587),
            implicit_tls=implicit,
            starttls=not implicit and options.get("starttls", ["on"])[-1] != "off",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def send(mail: Mail, settings: Settings) -> None:
    message = to_email(mail, sender=settings.mail_from)
    if settings.smtp_url is None:
        log.info(
            "mail not sent (SUPPORT_ANALYTICS_SMTP_URL is unset) to=%s subject=%r\n%s",
            mail.to,
            mail.subject,
            mail.text,
        )
        return
    server = SmtpServer.parse(settings.smtp_url.get_secret_value())
    try:
        _deliver(server, message)
    except (OSError, smtplib.SMTPException) as exc:
        # smtplib's messages quote the server, never our credentials.
        raise MailNotSent(
            f"mail to {mail.to} via {server.host}:{server.port} failed: {type(exc).__name__}: {exc}"
        ) from None
    log.info(
        "mail sent to=%s subject=%r via %s:%s", mail.to, mail.subject, server.host, server.port
    )


def _deliver(server: SmtpServer, message: EmailMessage[str, str]) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if server.implicit_tls:
        client = smtplib.SMTP_SSL(
            server.host, server.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with client:
        client.ehlo()
        if server.starttls:
            # Raises SMTPNotSupportedError when not offered: no silent plain-text fallback.
            client.starttls(context=context)
            client.ehlo()
        if server.username is not None:
            client.login(server.username, server.password or "")
        client.send_message(message)
