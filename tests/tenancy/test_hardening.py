"""What a request role can reach besides tables (issue 12): session lifetime, notifications,
statistics, rollups without a session. Run on the authenticator login, as requests run."""

from __future__ import annotations

from datetime import timedelta

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import SESSION_TOKEN_SETTING
from support_analytics.tenancy.scope import owner_transaction, request_transaction
from tests.fixtures.auth import SESSION_TTL
from tests.tenancy.matrix import MatrixPersona, World

TTL = timedelta(hours=1)
ROLLUPS = (
    "analytics_cube",
    "analytics_resolution",
    "analytics_hours_hist",
    "analytics_rollup_state",
)


def _refused(world: World, persona: MatrixPersona, statement: str) -> bool:
    try:
        with request_transaction(world.requests, world.tokens[persona], ttl=TTL) as scope:
            scope.session.execute(text(statement))
            scope.session.rollback()
    except DBAPIError as exc:
        return isinstance(exc.orig, psycopg.errors.InsufficientPrivilege)
    return False


def test_a_caller_chosen_ttl_does_not_stretch_the_session(
    tenancy_database: Database, world: World
) -> None:
    token = world.tokens["client_a"]
    with owner_transaction(tenancy_database) as session:
        session.execute(
            text(
                "UPDATE sessions SET last_seen_at = now() - interval '2 minutes'"
                " WHERE token_hash = sha256(convert_to(:t, 'UTF8'))"
            ),
            {"t": token},
        )
    with world.requests.engine.begin() as conn:
        conn.execute(
            text("SELECT set_config(:n, :t, true)"), {"n": SESSION_TOKEN_SETTING, "t": token}
        )
        rows = conn.execute(text("SELECT * FROM sa_resolve_session(interval '1000 years')")).all()
    assert len(rows) == 1
    with owner_transaction(tenancy_database) as session:
        left = session.execute(
            text(
                "SELECT expires_at - now() FROM sessions"
                " WHERE token_hash = sha256(convert_to(:t, 'UTF8'))"
            ),
            {"t": token},
        ).scalar_one()
    assert left <= SESSION_TTL + timedelta(minutes=1)


@pytest.mark.parametrize(
    "statement",
    [
        """SELECT live_emit('{"kind": "ticket", "op": "insert", "id": 1, "client_id": 2}')""",
        'SELECT pg_notify(\'support_analytics_events\', \'{"kind": "bulk", "op": "bulk"}\')',
    ],
)
@pytest.mark.parametrize("persona", ["anonymous", "client_a", "agent"])
def test_request_roles_cannot_send_events(
    world: World, persona: MatrixPersona, statement: str
) -> None:
    assert _refused(world, persona, statement)


def test_the_request_login_itself_cannot_send_events(world: World) -> None:
    with pytest.raises(DBAPIError) as raised, world.requests.engine.begin() as conn:
        conn.execute(text("SELECT pg_notify('support_analytics_events', 'x')"))
    assert isinstance(raised.value.orig, psycopg.errors.InsufficientPrivilege)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'tickets'",
        "SELECT n_tup_ins FROM pg_stat_all_tables WHERE relname = 'tickets'",
        "SELECT idx_tup_fetch FROM pg_stat_user_indexes LIMIT 1",
        "SELECT tup_inserted FROM pg_stat_database WHERE datname = current_database()",
        "SELECT pg_stat_get_live_tuples('tickets'::regclass)",
        "SELECT pg_stat_get_tuples_inserted('tickets'::regclass)",
        "SELECT pg_stat_get_db_tuples_inserted(oid) FROM pg_database",
    ],
)
@pytest.mark.parametrize("persona", ["client_a", "agent"])
def test_request_roles_read_no_row_counts_from_statistics(
    world: World, persona: MatrixPersona, statement: str
) -> None:
    assert _refused(world, persona, statement)


@pytest.mark.parametrize("table", ROLLUPS)
def test_rollups_need_an_internal_session_not_just_the_role(world: World, table: str) -> None:
    """The authenticator switching to the internal role with no session at all."""
    with request_transaction(world.requests, None, ttl=TTL) as scope:
        scope.session.execute(text("SET LOCAL ROLE support_analytics_internal"))
        seen = scope.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        scope.session.rollback()
    assert seen == 0


def test_nobody_but_the_owner_can_listen_to_the_events(
    tenancy_database: Database, world: World
) -> None:
    """NOTIFY and LISTEN have no privileges in PostgreSQL: the channel's name is the secret."""
    url = world.requests.engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as spy:
        spy.execute("LISTEN support_analytics_events")
        with owner_transaction(tenancy_database) as session:
            session.execute(
                text("UPDATE tickets SET priority = priority WHERE id = :id"), {"id": 1}
            )
        heard = list(spy.notifies(timeout=2, stop_after=1))
        assert heard == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            spy.execute("SELECT name FROM live_channel")


def test_the_session_resolver_is_granted_as_tightly_as_before(tenancy_database: Database) -> None:
    """Migration 0024 drops and recreates `sa_resolve_session` (a new OUT column, the
    reader's timezone): the request roles and the authenticator login may call it, PUBLIC may
    not, and it stays SECURITY DEFINER with the pinned search_path."""
    with owner_transaction(tenancy_database) as session:
        row = session.execute(
            text(
                "SELECT p.prosecdef, p.proconfig,"
                " array(SELECT a.grantee::regrole::text FROM aclexplode(p.proacl) a"
                "       WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> 0"
                "         AND a.grantee <> p.proowner ORDER BY 1) AS grantees,"
                " EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public"
                " FROM pg_proc p WHERE p.oid = 'sa_resolve_session(interval)'::regprocedure"
            )
        ).one()
    assert row.prosecdef
    assert row.proconfig == ["search_path=pg_catalog, public"]
    assert row.grantees == [
        "support_analytics_anonymous",
        "support_analytics_authenticator",
        "support_analytics_client",
        "support_analytics_internal",
    ]
    assert not row.public
