"""Single-use, expiring links for invitations and password resets (stored hashed).

A `LinkSender` delivers the link, inside the transaction that minted it. The built-in one
hands it back to whoever asked (the admin page shows it, the CLI prints it);
`mail.outbox.MailedSender` also queues the mail in that transaction, so a request that
fails after minting the link mails nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.auth import policy, service, sessions
from support_analytics.auth.tokens import new_token, token_hash
from support_analytics.db.engine import Database
from support_analytics.errors import AppError, InvalidInput
from support_analytics.tenancy.scope import owner_transaction

Purpose = Literal["invite", "reset"]
LIFETIME: dict[Purpose, timedelta] = {"invite": timedelta(days=7), "reset": timedelta(hours=2)}
PATH = "/set-password"


class InvalidLink(AppError):
    status_code = 400
    code = "invalid_link"

    def __init__(self) -> None:
        super().__init__(
            "This link is invalid, expired or already used. Ask an admin for a new one."
        )


@dataclass(frozen=True)
class Link:
    email: str
    purpose: Purpose
    url: str


class LinkSender(Protocol):
    def send(self, session: Session, link: Link) -> None: ...


class ShownToSender:
    """Keeps the link for the caller to display: no mail leaves the machine."""

    def __init__(self) -> None:
        self.sent: list[Link] = []

    def send(self, session: Session, link: Link) -> None:
        del session
        self.sent.append(link)


def issue(
    session: Session,
    *,
    user_id: int,
    purpose: Purpose,
    base_url: str,
    created_by: int | None,
    sender: LinkSender,
) -> Link:
    """Create a token for `user_id` and deliver its link. As an admin's request role RLS
    requires `created_by` to be that admin; as the owner (CLI) it may be None."""
    user = service.get_user(session, user_id)
    if purpose == "reset" and user.status == "disabled":
        raise InvalidInput("a disabled user cannot reset a password; enable it first")
    token = new_token()
    session.execute(
        text(
            "INSERT INTO auth_tokens (user_id, purpose, token_hash, expires_at, created_by)"
            " VALUES (:user_id, :purpose, :hash, now() + :lifetime, :created_by)"
        ),
        {
            "user_id": user_id,
            "purpose": purpose,
            "hash": token_hash(token),
            "lifetime": LIFETIME[purpose],
            "created_by": created_by,
        },
    )
    link = Link(email=user.email, purpose=purpose, url=f"{base_url.rstrip('/')}{PATH}/{token}")
    sender.send(session, link)
    return link


@dataclass(frozen=True)
class PendingLink:
    email: str
    purpose: Purpose


def peek(database: Database, token: str) -> PendingLink:
    """What a still-valid link is for (the set-password page shows the email)."""
    with owner_transaction(database) as session:
        row = session.execute(
            text(
                "SELECT u.email, t.purpose FROM auth_tokens t JOIN users u ON u.id = t.user_id"
                " WHERE t.token_hash = :hash AND t.used_at IS NULL AND t.expires_at > now()"
                " AND u.status <> 'disabled'"
            ),
            {"hash": token_hash(token)},
        ).first()
    if row is None:
        raise InvalidLink
    return PendingLink(email=row.email, purpose="invite" if row.purpose == "invite" else "reset")


def redeem(database: Database, token: str, new_password: str) -> int:
    """Set the password and burn the token (single use, even under concurrent redeems: the
    UPDATE ... WHERE used_at IS NULL lets exactly one through). Every session of the user
    is revoked: whoever had the old password is signed out."""
    with owner_transaction(database) as session:
        row = session.execute(
            text(
                "UPDATE auth_tokens t SET used_at = now() FROM users u"
                " WHERE u.id = t.user_id AND t.token_hash = :hash AND t.used_at IS NULL"
                " AND t.expires_at > now() AND u.status <> 'disabled'"
                " RETURNING t.user_id, u.email"
            ),
            {"hash": token_hash(token)},
        ).first()
        if row is None:
            raise InvalidLink
        user_id = int(row.user_id)
        # Refused here rolls the UPDATE back: the link stays usable for a better password.
        reason = policy.refusal(new_password, email=row.email)
        if reason:
            raise InvalidInput(reason)
        service.activate_with_password(session, user_id, new_password)
        session.execute(
            text("UPDATE auth_tokens SET used_at = now() WHERE user_id = :id AND used_at IS NULL"),
            {"id": user_id},
        )
        sessions.revoke_all_for_user(session, user_id)
        return int(user_id)
