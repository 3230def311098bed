"""The database spells the ticket vocabulary the way tickets/status.py does: every CHECK
constraint on a priority lists exactly its priorities, every partial index or constraint that
names the open or closed statuses names exactly its groups, and a new ticket starts open."""

from __future__ import annotations

import re

import psycopg

from support_analytics.tickets.status import CLOSED_STATUSES, OPEN_STATUSES, PRIORITIES, Status
from tests.conftest import PgServer

_QUOTED = re.compile(r"'([a-z_]+)'")
# The IN-lists inside an expression: `status IN ('open', 'in_progress')` as PostgreSQL prints
# it back (`status::text = ANY (ARRAY['open'::character varying, ...]::text[])`).
_LISTS = re.compile(r"(\w+)(?:\)?::text)?\s*=\s*ANY\s*\(\(?ARRAY\[([^\]]*)\]")

EXPRESSIONS = """
    SELECT c.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND k.contype = 'c'
    UNION ALL
    SELECT i.indexrelid::regclass::text, pg_get_expr(i.indpred, i.indrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND i.indpred IS NOT NULL
"""


def _value_lists(pg_server: PgServer, database: str) -> list[tuple[str, str, frozenset[str]]]:
    """(object, column, values) for every `column IN (...)` in a CHECK or index predicate."""
    with psycopg.connect(pg_server.libpq(database)) as conn:
        rows = conn.execute(EXPRESSIONS).fetchall()
    return [
        (str(name), column, frozenset(_QUOTED.findall(values)))
        for name, definition in rows
        for column, values in _LISTS.findall(str(definition))
    ]


def test_every_priority_and_status_list_in_the_schema_is_the_vocabulary(
    pg_server: PgServer, migrated_template: str
) -> None:
    lists = _value_lists(pg_server, migrated_template)
    priorities = [(name, values) for name, column, values in lists if column == "priority"]
    statuses = [(name, values) for name, column, values in lists if column == "status"]
    # The open-ticket partial indexes name the open group, so the status comparison cannot
    # pass vacuously; priorities are checked wherever a CHECK lists them.
    assert any(values == frozenset(OPEN_STATUSES) for _, values in statuses), lists
    for name, values in priorities:
        assert values == frozenset(PRIORITIES), name
    for name, values in statuses:
        if values & frozenset(Status):
            assert values in (frozenset(OPEN_STATUSES), frozenset(CLOSED_STATUSES)), name


def test_a_new_ticket_starts_open(pg_server: PgServer, migrated_template: str) -> None:
    with psycopg.connect(pg_server.libpq(migrated_template)) as conn:
        row = conn.execute(
            "SELECT column_default FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = 'tickets' AND column_name = 'status'"
        ).fetchone()
    assert row is not None
    assert _QUOTED.findall(str(row[0])) == [Status.OPEN.value]
