"""Sign-in, sign-out, passwords and user accounts.

Functions taking a `Database` run as the owner (`owner_transaction`): they act before an
identity exists (sign-in, redeeming an invite) or for the CLI. Functions taking a `Session`
run inside the caller's request transaction, where RLS decides (an admin's, for the admin
pages), so a bug here cannot reach past what the caller's role may do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import RowMapping, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from support_analytics.auth import passwords, policy, ratelimit, sessions
from support_analytics.auth.tokens import token_hash
from support_analytics.db.engine import Database
from support_analytics.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from support_analytics.tenancy.claims import Principal, Role, kind_of
from support_analytics.tenancy.scope import owner_transaction

INVALID_LOGIN = "Invalid email or password."
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    display_name: str
    kind: str
    role: Role
    team_member_id: int | None
    client_id: int | None
    status: str
    created_at: datetime
    last_login_at: datetime | None


_USER_SELECT = (
    "SELECT id, email, display_name, kind, role, team_member_id, client_id, status,"
    " created_at, last_login_at FROM users"
)


def _user(mapping: RowMapping) -> UserRow:
    return UserRow(**{**mapping, "role": Role(mapping["role"])})


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        # Never echoed back: auth bodies must not repeat what was typed.
        raise InvalidInput("not a valid email address", field="email")
    return cleaned


@dataclass(frozen=True)
class LoginResult:
    token: str
    user_id: int


def login(
    database: Database,
    *,
    email: str,
    password: str,
    ip_address: str,
    user_agent: str | None,
    ttl: timedelta,
) -> LoginResult:
    """Check the password and open a session. Unknown email, wrong password, an invited or a
    disabled account all give the same 401 message, after the same argon2 work."""
    key = email.strip().lower()[:254]
    with owner_transaction(database) as session:
        attempt = ratelimit.take_slot(session, email=key, ip_address=ip_address)
    with owner_transaction(database) as session:
        row = session.execute(
            text("SELECT id, password_hash, status FROM users WHERE lower(email) = :email"),
            {"email": key},
        ).first()
        ok, new_hash = passwords.verify(password, row.password_hash if row else None)
        if not ok or row is None or row.status != "active":
            raise Unauthenticated(INVALID_LOGIN, code="invalid_credentials")
        ratelimit.succeeded(session, attempt)
        if new_hash is not None:
            session.execute(
                text("UPDATE users SET password_hash = :h WHERE id = :id"),
                {"h": new_hash, "id": row.id},
            )
        session.execute(
            text("UPDATE users SET last_login_at = now() WHERE id = :id"), {"id": row.id}
        )
        token = sessions.create(
            session, user_id=row.id, ttl=ttl, user_agent=user_agent, ip_address=ip_address
        )
        return LoginResult(token=token, user_id=row.id)


def logout(database: Database, token: str) -> None:
    with owner_transaction(database) as session:
        sessions.revoke(session, token)


def change_password(
    database: Database,
    principal: Principal,
    *,
    current: str,
    new: str,
    keep_token: str | None,
    ip_address: str,
) -> None:
    """Needs the current password, throttled like sign-in (a stolen session must not be a
    free password oracle); every other session of the user is revoked."""
    reason = policy.refusal(new, email=principal.email, current=current)
    if reason:
        raise InvalidInput(reason, field="new_password")
    with owner_transaction(database) as session:
        attempt = ratelimit.take_slot(session, email=principal.email, ip_address=ip_address)
    with owner_transaction(database) as session:
        stored = session.execute(
            text("SELECT password_hash FROM users WHERE id = :id"), {"id": principal.user_id}
        ).scalar_one()
        ok, _ = passwords.verify(current, stored)
        if not ok:
            raise InvalidInput("the current password is not correct", field="current_password")
        ratelimit.succeeded(session, attempt)
        _set_password(session, principal.user_id, new)
        session.execute(
            text(
                "UPDATE sessions SET revoked_at = now() WHERE user_id = :id"
                " AND revoked_at IS NULL AND token_hash IS DISTINCT FROM :keep"
            ),
            {
                "id": principal.user_id,
                "keep": token_hash(keep_token) if keep_token else None,
            },
        )


def _set_password(session: Session, user_id: int, password: str) -> None:
    session.execute(
        text(
            "UPDATE users SET password_hash = :h, password_changed_at = now(),"
            " updated_at = now(), status = CASE WHEN status = 'invited' THEN 'active'"
            " ELSE status END WHERE id = :id"
        ),
        {"h": passwords.hash_password(password), "id": user_id},
    )


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    team_member_id: int | None = None,
    client_id: int | None = None,
    display_name: str | None = None,
) -> UserRow:
    """Insert an invited user. Works as the owner (CLI) and as an admin's request role; the
    kind always follows the role, and the CHECK constraint keeps the right link set."""
    kind = kind_of(role)
    if kind == "internal" and (team_member_id is None or client_id is not None):
        raise InvalidInput("an internal user needs a team member (and no client)")
    if kind == "client" and (client_id is None or team_member_id is not None):
        raise InvalidInput("a client user needs a client (and no team member)")
    email = normalise_email(email)
    name = display_name or _default_name(session, team_member_id, client_id, email)
    try:
        with session.begin_nested():
            row = session.execute(
                text(
                    "INSERT INTO users (email, display_name, kind, role, team_member_id,"
                    " client_id, status) VALUES (:email, :name, :kind, :role, :tm, :client,"
                    " 'invited') RETURNING id"
                ),
                {
                    "email": email,
                    "name": name,
                    "kind": kind,
                    "role": role.value,
                    "tm": team_member_id,
                    "client": client_id,
                },
            ).scalar_one()
    except IntegrityError as exc:
        if "users_email_key" in str(exc.orig):
            raise Conflict(f"a user with email {email} already exists") from exc
        raise InvalidInput("the team member or client does not exist") from exc
    return get_user(session, row)


def _default_name(
    session: Session, team_member_id: int | None, client_id: int | None, email: str
) -> str:
    if team_member_id is not None:
        username = session.execute(
            text("SELECT username FROM team_members_public WHERE id = :id"),
            {"id": team_member_id},
        ).scalar_one_or_none()
        if username is None:
            raise InvalidInput(f"team member {team_member_id} does not exist")
        return " ".join(part.capitalize() for part in username.split("_"))
    if client_id is not None:
        exists = session.execute(
            text("SELECT 1 FROM clients WHERE id = :id"), {"id": client_id}
        ).scalar_one_or_none()
        if exists is None:
            raise InvalidInput(f"client {client_id} does not exist")
    return email.split("@", 1)[0]


def activate_with_password(session: Session, user_id: int, password: str) -> None:
    """Owner-only (CLI, demo): set a password and make the account active."""
    reason = passwords.check_strength(password)
    if reason:
        raise InvalidInput(reason)
    _set_password(session, user_id, password)


def get_user(session: Session, user_id: int) -> UserRow:
    row = (
        session.execute(text(f"{_USER_SELECT} WHERE id = :id"), {"id": user_id}).mappings().first()
    )
    if row is None:
        raise NotFound(f"user {user_id} not found")
    return _user(row)


def find_user_by_email(session: Session, email: str) -> UserRow | None:
    row = (
        session.execute(
            text(f"{_USER_SELECT} WHERE lower(email) = :email"), {"email": email.strip().lower()}
        )
        .mappings()
        .first()
    )
    return _user(row) if row else None


def list_users(session: Session) -> list[UserRow]:
    rows = session.execute(text(f"{_USER_SELECT} ORDER BY kind DESC, role, email")).mappings()
    return [_user(row) for row in rows]


def set_role(session: Session, user_id: int, role: Role) -> UserRow:
    user = get_user(session, user_id)
    if kind_of(role) != user.kind:
        raise InvalidInput("a role cannot move a user between internal and client")
    session.execute(
        text("UPDATE users SET role = :role, updated_at = now() WHERE id = :id"),
        {"role": role.value, "id": user_id},
    )
    return get_user(session, user_id)


def set_status(session: Session, user_id: int, status: str) -> UserRow:
    """Disable or re-enable. Disabling takes effect at once: the session lookup in RLS
    requires an active user, so no extra revocation is needed (it is done anyway)."""
    get_user(session, user_id)
    if status not in {"active", "disabled"}:
        raise InvalidInput("status must be active or disabled")
    # Re-enabling someone who never set a password puts them back to invited.
    session.execute(
        text(
            "UPDATE users SET updated_at = now(), status = CASE WHEN :status = 'disabled'"
            " THEN 'disabled' WHEN password_changed_at IS NULL THEN 'invited' ELSE 'active'"
            " END WHERE id = :id"
        ),
        {"status": status, "id": user_id},
    )
    if status == "disabled":
        sessions.revoke_all_for_user(session, user_id)
    return get_user(session, user_id)
