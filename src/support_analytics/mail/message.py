"""A mail as the worker sends it: recipient, subject, plain text and HTML, rendered from
the templates in `mail/templates/` (`<name>.txt` and `<name>.html`, the HTML autoescaped).

Every link in a mail comes from the caller, which builds it from
`SUPPORT_ANALYTICS_PUBLIC_URL` (`Settings.link_base_url`), never from a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_ENV = Environment(
    loader=PackageLoader("support_analytics.mail", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    subtype: str = "csv"  # text/<subtype>, UTF-8


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=())
    """Extra headers, e.g. List-Unsubscribe on digests."""


def render(
    template: str,
    *,
    to: str,
    subject: str,
    context: Mapping[str, object],
    attachments: tuple[Attachment, ...] = (),
    headers: tuple[tuple[str, str], ...] = (),
) -> Mail:
    values = {"subject": subject, **context}
    return Mail(
        to=to,
        subject=subject,
        text=_ENV.get_template(f"{template}.txt").render(values),
        html=_ENV.get_template(f"{template}.html").render(values),
        attachments=attachments,
        headers=headers,
    )


def to_email(mail: Mail, *, sender: str) -> EmailMessage[str, str]:
    """multipart/alternative: plain text first, HTML second (clients show the last they can);
    with attachments, that alternative is the first part of a multipart/mixed."""
    message: EmailMessage[str, str] = EmailMessage()
    message["From"] = sender
    message["To"] = str(Address(addr_spec=mail.to))
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="support-analytics")
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        message.add_attachment(
            attachment.content, subtype=attachment.subtype, filename=attachment.filename
        )
    return message
