"""The demo accounts `support-analytics demo` creates when missing: one per internal role
and one client user of the busiest client. Their passwords are fixed and documented in the
README; they exist to be typed in on a laptop, never on a server anyone else can reach."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sqlalchemy import text

from support_analytics.auth import service
from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: Role
    created: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.test", "demo-admin-pass", Role.ADMIN),
    DemoAccount("manager@demo.test", "demo-manager-pass", Role.MANAGER),
    DemoAccount("agent@demo.test", "demo-agent-pass", Role.AGENT),
    DemoAccount("client@demo.test", "demo-client-pass", Role.CLIENT),
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(host: str, *, embedded: bool) -> str | None:
    """Why `demo` must not create its accounts here (None when it may): anyone who can reach
    the server can sign in with the README's passwords, so only a loopback address on the
    embedded database - a laptop - is safe by default."""
    where = []
    if not is_loopback(host):
        where.append(f"listens on {host}, reachable from other machines")
    if not embedded:
        where.append("uses the database DATABASE_URL names, not the embedded one")
    if not where:
        return None
    return (
        f"demo creates accounts whose passwords are published in the README, and this "
        f"{' and '.join(where)}; pass --insecure-demo-accounts to do it anyway, or use "
        "`serve` and `users create`"
    )


def ensure_demo_accounts(database: Database) -> list[DemoAccount]:
    """Create the missing demo users (active, with their demo password); leave others alone."""
    result: list[DemoAccount] = []
    with owner_transaction(database) as session:
        team_member_ids = list(
            session.execute(text("SELECT id FROM team_members ORDER BY id LIMIT 3")).scalars()
        )
        busiest_client = session.execute(
            text(
                "SELECT client_id FROM tickets GROUP BY client_id"
                " ORDER BY count(*) DESC, client_id LIMIT 1"
            )
        ).scalar_one_or_none()
        internal = iter(team_member_ids)
        for account in DEMO_ACCOUNTS:
            if service.find_user_by_email(session, account.email) is not None:
                result.append(account)
                continue
            if account.role is Role.CLIENT:
                if busiest_client is None:
                    continue
                user = service.create_user(
                    session, email=account.email, role=account.role, client_id=busiest_client
                )
            else:
                team_member_id = next(internal, None)
                if team_member_id is None:
                    continue
                user = service.create_user(
                    session, email=account.email, role=account.role, team_member_id=team_member_id
                )
            service.activate_with_password(session, user.id, account.password)
            result.append(DemoAccount(account.email, account.password, account.role, True))
    return result
