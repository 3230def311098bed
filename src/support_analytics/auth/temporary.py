"""A throwaway internal account, for tools that must sign in as a user would (the benchmark
measures requests through the session lookup and row-level security)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text

from support_analytics.auth import service
from support_analytics.db.engine import Database
from support_analytics.errors import AppError
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str


@contextmanager
def temporary_internal_user(
    database: Database, *, role: Role = Role.MANAGER
) -> Iterator[Credentials]:
    """An active internal user with a random password, linked to the first team member;
    deleted afterwards with its sessions and login attempts, whatever happened meanwhile."""
    credentials = Credentials(
        email=f"bench-{secrets.token_hex(6)}@support-analytics.test",
        password=secrets.token_urlsafe(24),
    )
    with owner_transaction(database) as session:
        member = session.execute(text("SELECT min(id) FROM team_members")).scalar_one()
        if member is None:
            raise AppError("no team member to sign in as: load data first (db load-reference)")
        user = service.create_user(
            session, email=credentials.email, role=role, team_member_id=int(member)
        )
        service.activate_with_password(session, user.id, credentials.password)
    try:
        yield credentials
    finally:
        with owner_transaction(database) as session:
            # Sessions and tokens go with the user (ON DELETE CASCADE); attempts are by email.
            session.execute(text("DELETE FROM users WHERE id = :id"), {"id": user.id})
            session.execute(
                text("DELETE FROM login_attempts WHERE email = :email"),
                {"email": credentials.email},
            )
