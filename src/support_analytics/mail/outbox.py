"""Queueing mail: the rendered mail is stored in `mail_outbox` and a `mail.send` job names
its id, in one transaction. Invites and password resets use `MailedSender`: the caller still
gets the link (the admin page and the CLI show it) and the user gets it by mail."""

from __future__ import annotations

from sqlalchemy import Connection, text

from support_analytics.auth.invites import LIFETIME, Link, ShownToSender
from support_analytics.db.engine import Database
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
    def __init__(self, database: Database) -> None:
        super().__init__()
        self._database = database

    def send(self, link: Link) -> None:
        super().send(link)
        # Its own transaction: the caller's may run under a request role.
        with self._database.engine.begin() as connection:
            queue_mail(connection, link_mail(link))
