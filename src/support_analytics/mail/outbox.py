"""Queueing mail: the rendered mail is stored in `mail_outbox` and a `mail.send` job names
its id, in the transaction of the write that causes it, so it is sent if and only if that
transaction commits. Invites and password resets use `MailedSender`: the caller still gets
the link (the admin page and the CLI show it) and the user gets it by mail."""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from support_analytics.auth.invites import LIFETIME, PATH, Link, ShownToSender
from support_analytics.auth.tokens import token_hash
from support_analytics.jobs.tasks import send_mail
from support_analytics.mail.message import Mail, render

SUBJECTS = {
    "invite": "You are invited to Support Analytics",
    "reset": "Set a new Support Analytics password",
}


def queue_mail(connection: Connection, mail: Mail) -> int:
    """Store `mail` and defer its job in `connection`'s transaction (the owner login: request
    roles cannot touch the queue); it is sent only if that transaction commits."""
    mail_id = int(
        connection.execute(
            text(
                "INSERT INTO mail_outbox (recipient, subject, body_text, body_html)"
                " VALUES (:to, :subject, :text, :html) RETURNING id"
            ),
            {"to": mail.to, "subject": mail.subject, "text": mail.text, "html": mail.html},
        ).scalar_one()
    )
    driver = connection.connection.driver_connection
    send_mail.configure(connection=driver).defer(mail_id=mail_id)
    return mail_id


def _lifetime(link: Link) -> str:
    hours = int(LIFETIME[link.purpose].total_seconds() // 3600)
    return f"{hours // 24} days" if hours >= 48 else f"{hours} hours"


def link_mail(link: Link) -> Mail:
    """The invite or password mail; `link.url` was built from the public URL."""
    return render(
        link.purpose,
        to=link.email,
        subject=SUBJECTS[link.purpose],
        context={"email": link.email, "url": link.url, "lifetime": _lifetime(link)},
    )


class MailedSender(ShownToSender):
    def send(self, session: Session, link: Link) -> None:
        """Queue the mail in `session`'s transaction, under whatever role it runs (an admin's
        request or the owner): `sa_queue_link_mail` takes the recipient from the token this
        transaction minted, since request roles cannot touch the queue themselves."""
        super().send(session, link)
        mail = link_mail(link)
        token = link.url.rsplit(f"{PATH}/", 1)[1]
        session.execute(
            text("SELECT sa_queue_link_mail(:hash, :subject, :text, :html)"),
            {
                "hash": token_hash(token),
                "subject": mail.subject,
                "text": mail.text,
                "html": mail.html,
            },
        )
