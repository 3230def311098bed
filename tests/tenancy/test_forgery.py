"""Forging an identity from SQL inside a request: storing another claim, switching roles,
undoing the switch. Run on the authenticator login, exactly as requests run."""

from __future__ import annotations

from datetime import timedelta

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import SESSION_TOKEN_SETTING
from support_analytics.tenancy.scope import owner_transaction, request_transaction
from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID
from tests.tenancy.matrix import World

TTL = timedelta(hours=1)


def _client_a_count(world: World, *statements: str) -> int:
    """Tickets visible to client A's request after running `statements` inside it."""
    with request_transaction(world.requests, world.tokens["client_a"], ttl=TTL) as scope:
        for statement in statements:
            scope.session.execute(text(statement))
        count = scope.session.execute(text("SELECT count(*) FROM tickets")).scalar_one()
        scope.session.rollback()
    return int(count)


def _own_count(database: Database, client_id: int) -> int:
    with owner_transaction(database) as session:
        return int(
            session.execute(
                text("SELECT count(*) FROM tickets WHERE client_id = :c"), {"c": client_id}
            ).scalar_one()
        )


def test_baseline_client_sees_its_own_tickets(tenancy_database: Database, world: World) -> None:
    assert _client_a_count(world) == _own_count(tenancy_database, CLIENT_A_ID)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT set_config('app.client_id', '2', true)",
        "SELECT set_config('support_analytics.client_id', '2', true)",
        "SELECT set_config('support_analytics.role', 'admin', true)",
        "SELECT set_config('request.jwt.claims', '{\"client_id\": 2}', true)",
    ],
)
def test_made_up_settings_change_nothing(
    tenancy_database: Database, world: World, statement: str
) -> None:
    assert _client_a_count(world, statement) == _own_count(tenancy_database, CLIENT_A_ID)


def test_a_forged_token_claim_sees_nothing(world: World) -> None:
    forged = f"SELECT set_config('{SESSION_TOKEN_SETTING}', 'guessed-token-value', true)"
    assert _client_a_count(world, forged) == 0


def test_the_token_claim_is_the_only_way_to_become_b(
    tenancy_database: Database, world: World
) -> None:
    # Holding B's raw 256-bit token is being B: that is what a session is.
    token_b = world.tokens["client_b"]
    claim = f"SELECT set_config('{SESSION_TOKEN_SETTING}', '{token_b}', true)"
    assert _client_a_count(world, claim) == _own_count(tenancy_database, CLIENT_B_ID)


def test_set_role_internal_sees_nothing(world: World) -> None:
    assert _client_a_count(world, "SET LOCAL ROLE support_analytics_internal") == 0


@pytest.mark.parametrize(
    "statement",
    ["RESET ROLE", "SET ROLE NONE", "SET LOCAL ROLE NONE"],
)
def test_undoing_the_role_switch_lands_on_a_login_that_reads_nothing(
    world: World, statement: str
) -> None:
    with pytest.raises(DBAPIError) as raised:
        _client_a_count(world, statement)
    assert isinstance(raised.value.orig, psycopg.errors.InsufficientPrivilege)


@pytest.mark.parametrize(
    "statement",
    [
        "SET ROLE postgres",
        "SET SESSION AUTHORIZATION postgres",
        "SET ROLE support_analytics_authenticator; SET ROLE postgres",
    ],
)
def test_becoming_the_owner_is_refused(world: World, statement: str) -> None:
    with pytest.raises(DBAPIError) as raised:
        _client_a_count(world, statement)
    assert isinstance(raised.value.orig, psycopg.errors.InsufficientPrivilege)


def test_the_request_login_owns_and_inherits_nothing(world: World) -> None:
    with world.requests.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT rolsuper, rolbypassrls, rolinherit, rolcreaterole, rolcreatedb"
                " FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
        owned = conn.execute(
            text("SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole")
        ).scalar_one()
    assert tuple(row) == (False, False, False, False, False)
    assert owned == 0


def test_expired_and_revoked_sessions_resolve_to_nobody(
    tenancy_database: Database, world: World
) -> None:
    token = world.tokens["client_b"]
    assert token is not None
    for change in (
        "UPDATE sessions SET expires_at = now() - interval '1 second'",
        "UPDATE sessions SET revoked_at = now()",
        "UPDATE users SET status = 'disabled'",
    ):
        with owner_transaction(tenancy_database) as session:
            session.execute(text("SAVEPOINT forge"))
            session.execute(text(change))
            # Same transaction, so the change is visible to the lookup; rolled back below.
            session.execute(
                text("SELECT set_config(:n, :t, true)"), {"n": SESSION_TOKEN_SETTING, "t": token}
            )
            session.execute(text("SET LOCAL ROLE support_analytics_client"))
            visible = session.execute(text("SELECT count(*) FROM tickets")).scalar_one()
            session.rollback()
        assert visible == 0, change
