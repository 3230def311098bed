"""What admins do to accounts, inside the admin's own request transaction.

Every statement here runs as the admin's request role, so PostgreSQL checks it again: the
users/sessions/auth_tokens policies let only a live admin session insert, update or revoke.
Fields an admin may not set (kind, client of an internal user, who issued a link) are never
taken from the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.auth import invites, service, sessions
from support_analytics.errors import Conflict
from support_analytics.tenancy.claims import Principal, Role


@dataclass(frozen=True)
class Invitation:
    user: service.UserRow
    link: invites.Link


def invite(
    session: Session,
    admin: Principal,
    *,
    email: str,
    role: Role,
    team_member_id: int | None,
    client_id: int | None,
    base_url: str,
    sender: invites.LinkSender,
) -> Invitation:
    user = service.create_user(
        session,
        email=email,
        role=role,
        team_member_id=team_member_id if role is not Role.CLIENT else None,
        client_id=client_id if role is Role.CLIENT else None,
    )
    link = invites.issue(
        session,
        user_id=user.id,
        purpose="invite",
        base_url=base_url,
        created_by=admin.user_id,
        sender=sender,
    )
    return Invitation(user=user, link=link)


def _not_self(admin: Principal, user_id: int, action: str) -> None:
    # An admin locking themselves out leaves nobody to undo it.
    if admin.user_id == user_id:
        raise Conflict(f"you cannot {action} your own account; ask another admin")


def change_role(session: Session, admin: Principal, user_id: int, role: Role) -> service.UserRow:
    _not_self(admin, user_id, "change the role of")
    return service.set_role(session, user_id, role)


def change_status(
    session: Session, admin: Principal, user_id: int, status: Literal["active", "disabled"]
) -> service.UserRow:
    _not_self(admin, user_id, "disable or enable")
    return service.set_status(session, user_id, status)


def revoke_sessions(session: Session, user_id: int) -> int:
    service.get_user(session, user_id)
    return sessions.revoke_all_for_user(session, user_id)


def reset_link(
    session: Session, admin: Principal, user_id: int, *, base_url: str, sender: invites.LinkSender
) -> invites.Link:
    user = service.get_user(session, user_id)
    return invites.issue(
        session,
        user_id=user_id,
        purpose="invite" if user.status == "invited" else "reset",
        base_url=base_url,
        created_by=admin.user_id,
        sender=sender,
    )


def live_session_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        text(
            "SELECT user_id, count(*) AS n FROM sessions"
            " WHERE revoked_at IS NULL AND expires_at > now() GROUP BY user_id"
        )
    ).all()
    return {int(row.user_id): int(row.n) for row in rows}
