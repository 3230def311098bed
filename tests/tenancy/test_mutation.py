"""Proof that no policy goes untested: in a scratch database, drop or loosen each policy (and
switch RLS off on each table) in turn, and the matrix must notice every time."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.tenancy.scope import owner_transaction
from tests.tenancy.matrix import World, cases, verdict

VERSIONS = Path(__file__).resolve().parents[2] / "src/support_analytics/db/migrations/versions"


def _migration(filename: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(filename.removesuffix(".py"), VERSIONS / filename)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


IDENTITY = _migration("20261125_0003a_identity_users_rls.py")
# Rollup tables and ticket_submissions (issue 12).
HARDENING = _migration("20261129_0006_hardening.py")
# The activity log and response facts (issue 14).
EVENTS = _migration("20261129_0007_ticket_events.py")
# The responsiveness rollups.
RESPONSE = _migration("20261129_0008_response_rollups.py")
# Business calendars, SLA policies and per-ticket SLAs.
SLA = _migration("20261129_0009_sla.py")
# The SLA recompute requests and their progress.
SLA_RECOMPUTE = _migration("20261129_0014_sla_recompute.py")
# Live events kept for Last-Event-ID replay.
LIVE = _migration("20261129_0016_live_events.py")
POLICIES: list[tuple[str, str]] = [
    (p[0], p[1]) for p in (*IDENTITY.POLICIES, *HARDENING.POLICIES, *EVENTS.POLICIES, *SLA.POLICIES)
]
POLICIES += [(p[0], p[1]) for p in RESPONSE.POLICIES]
POLICIES += [(p[0], p[1]) for p in SLA_RECOMPUTE.POLICIES]
POLICIES += [(p[0], p[1]) for p in LIVE.POLICIES]
# The SLA cube (0019 writes its one policy inline) and the client's response facts (0021).
POLICIES += [("analytics_sla_cube_internal_select", "analytics_sla_cube")]
POLICIES += _migration("20261129_0021_client_response_facts.py").POLICIES
# The histogram with the priority summed away (0022 writes its one policy inline).
POLICIES += [("analytics_frt_hist_any_priority_internal_select", "analytics_frt_hist_any_priority")]
# The histograms in wide bins (0030 writes their policies inline).
WIDE = _migration("20261130_0030_frt_wide_bins.py")
WIDE_TABLES = [WIDE.WIDE, WIDE.WIDE_ANY]
POLICIES += [(f"{t}_internal_select", t) for t in WIDE_TABLES]
TABLES: list[str] = [
    *IDENTITY.DATA_TABLES,
    *IDENTITY.USER_TABLES,
    "ticket_submissions",
    *HARDENING.ROLLUP_TABLES,
    *EVENTS.RLS_TABLES,
    *RESPONSE.ROLLUP_TABLES,
    *SLA.RLS_TABLES,
    *SLA_RECOMPUTE.RLS_TABLES,
    *LIVE.RLS_TABLES,
    "analytics_sla_cube",
    "analytics_frt_hist_any_priority",
    *WIDE_TABLES,
]
CASES = cases()
# PostgreSQL applies a table's SELECT policies to every UPDATE as well, and these UPDATE
# policies repeat their SELECT policy's condition: loosened alone they change nothing any SQL
# can observe (test_masked_update_policies_stay_masked shows it); dropping them is caught.
MASKED_BY_SELECT = {
    "tickets_internal_update": "tickets_internal_select",
    "sessions_internal_update": "sessions_internal_select",
    "sessions_client_update": "sessions_client_select",
}
LOOSENABLE = [p for p in POLICIES if p[0] not in MASKED_BY_SELECT]
# login_attempts has no grants at all: RLS there is a second lock the matrix cannot see.
# ticket_events_state and sla_dirty have none either.
RLS_TABLES = [t for t in TABLES if t not in ("login_attempts", "ticket_events_state", "sla_dirty")]


def _execute(database: Database, sql: str) -> None:
    with owner_transaction(database) as session:
        session.execute(text(sql))


def _matrix_notices(database: Database, world: World, table: str) -> bool:
    return any(verdict(database, world, case) for case in CASES if case.table == table)


def test_every_policy_of_the_database_is_in_the_migration_list(
    tenancy_database: Database,
) -> None:
    with owner_transaction(tenancy_database) as session:
        rows = session.execute(
            text("SELECT policyname, tablename FROM pg_policies WHERE tablename = ANY(:tables)"),
            {"tables": TABLES},
        ).all()
    assert {(name, table) for name, table in rows} == set(POLICIES)


@pytest.fixture
def policy_restorer(tenancy_database: Database) -> Iterator[list[str]]:
    """Statements that put the original policy back, run even when the test fails."""
    restore: list[str] = []
    yield restore
    for sql in restore:
        _execute(tenancy_database, sql)


def _definition(
    database: Database, name: str, table: str
) -> tuple[str, str, str, str | None, str | None]:
    with owner_transaction(database) as session:
        row = session.execute(
            text(
                "SELECT cmd, array_to_string(roles, ','), permissive, qual, with_check"
                " FROM pg_policies WHERE policyname = :name AND tablename = :table"
            ),
            {"name": name, "table": table},
        ).one()
    return row[0], row[1], row[2], row[3], row[4]


def _create_sql(
    name: str, table: str, definition: tuple[str, str, str, str | None, str | None]
) -> str:
    cmd, roles, permissive, qual, check = definition
    sql = f"CREATE POLICY {name} ON {table} AS {permissive} FOR {cmd} TO {roles}"
    if qual is not None:
        sql += f" USING ({qual})"
    if check is not None:
        sql += f" WITH CHECK ({check})"
    return sql


@pytest.mark.parametrize(("name", "table"), POLICIES, ids=[name for name, _ in POLICIES])
def test_dropping_the_policy_is_caught(
    tenancy_database: Database, world: World, policy_restorer: list[str], name: str, table: str
) -> None:
    definition = _definition(tenancy_database, name, table)
    _execute(tenancy_database, f"DROP POLICY {name} ON {table}")
    policy_restorer.append(_create_sql(name, table, definition))
    assert _matrix_notices(tenancy_database, world, table), f"dropping {name} went unnoticed"


def _loosen(database: Database, restorer: list[str], name: str, table: str) -> None:
    definition = _definition(database, name, table)
    _, _, _, qual, check = definition
    clauses = ["USING (true)"] if qual is not None else []
    if check is not None:
        clauses.append("WITH CHECK (true)")
    _execute(database, f"ALTER POLICY {name} ON {table} {' '.join(clauses)}")
    restorer.append(f"DROP POLICY {name} ON {table}")
    restorer.append(_create_sql(name, table, definition))


@pytest.mark.parametrize(("name", "table"), LOOSENABLE, ids=[name for name, _ in LOOSENABLE])
def test_loosening_the_policy_is_caught(
    tenancy_database: Database, world: World, policy_restorer: list[str], name: str, table: str
) -> None:
    _loosen(tenancy_database, policy_restorer, name, table)
    assert _matrix_notices(tenancy_database, world, table), f"loosening {name} went unnoticed"


@pytest.mark.parametrize("name", sorted(MASKED_BY_SELECT))
def test_masked_update_policies_stay_masked(
    tenancy_database: Database, world: World, policy_restorer: list[str], name: str
) -> None:
    table = dict(POLICIES)[name]
    _loosen(tenancy_database, policy_restorer, name, table)
    assert not _matrix_notices(tenancy_database, world, table)
    _loosen(tenancy_database, policy_restorer, MASKED_BY_SELECT[name], table)
    assert _matrix_notices(tenancy_database, world, table)


@pytest.mark.parametrize("table", RLS_TABLES)
def test_switching_rls_off_is_caught(
    tenancy_database: Database, world: World, policy_restorer: list[str], table: str
) -> None:
    _execute(tenancy_database, f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    policy_restorer.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    assert _matrix_notices(tenancy_database, world, table), f"RLS off on {table} went unnoticed"
