"""Load the reference dataset: `database/schema.sql`'s tables (via migrations) filled by
`database/seed.sql`, run verbatim.

The seed draws everything from `random()` and stamps top-up payments with `NOW()`. To make a
load repeatable we seed the generator (`setseed`) and, for the length of the load only, put a
schema first on the search_path whose `now()` returns the data's fixed as-of instant. The seed
declares PL/pgSQL `TIMESTAMP` variables and stores them in `timestamptz` columns, so the
session runs in UTC, as the dataset's authors did.

A load is one transaction: the seed's statements up to its closing `END TRANSACTION` (the
summary SELECTs after it only print counts, which we print ourselves), then the `--as-of`
shift and the activity backfill; a failure anywhere leaves the database as it was. The
analytics rollups are not the loader's: the load leaves them marked stale and the caller
rebuilds them (`maintenance.after_bulk_load`, which `db load-reference` runs). The seed
starts with `TRUNCATE ... CASCADE` of the seven tables, which would also empty
every table with a foreign key to them, `users` included (through `team_members` and
`clients`), and so every session and token. Keys from other tables to the three dimension
tables (clients, team members, ticket types) are set aside for the seed and put back after
it: the seed recreates the same dimension rows with the same ids, so accounts keep their
links, and the re-added keys check every link. Rows that hang off tickets (form submission
tokens, activity) go with the tickets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

from support_analytics.errors import AppError
from support_analytics.tickets import events

DEFAULT_RANDOM_SEED = 42
MAX_RANDOM_SEED = 2**31 - 1
# The last instant the seed can produce data for (Nov tickets + 48 h resolutions).
AS_OF = "2025-12-01 00:00:00+00"
SEED_AS_OF = date(2025, 12, 1)
REFERENCE_TABLES = (
    "clients",
    "team_members",
    "ticket_types",
    "tickets",
    "ticket_messages",
    "ticket_feedback",
    "payments",
)
# Recreated with the same ids by every load: links to them survive a reload.
DIMENSION_TABLES = ("clients", "team_members", "ticket_types")
_CLOCK_SCHEMA = "reference_seed_clock"
_SEED_END = "\nEND TRANSACTION;"


# (step, done, total): what a bulk load reports as it goes (cli/progress.py draws it).
Progress = Callable[[str, int, int], None]


class DatabaseNotEmpty(AppError):
    status_code = 409
    code = "not_empty"


def reference_sql(name: str) -> str:
    """`schema.sql` or `seed.sql`: from the wheel when installed, else from the checkout."""
    packaged = resources.files("support_analytics").joinpath("reference_sql", name)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[3] / "database" / name
    return checkout.read_text(encoding="utf-8")


@dataclass(frozen=True)
class TableCounts:
    counts: dict[str, int]
    # user accounts that were in the database before a --replace and are still there
    accounts_kept: int = field(default=0)

    def total(self) -> int:
        return sum(self.counts.values())


def table_counts(conn: psycopg.Connection[tuple[int]]) -> TableCounts:
    counts: dict[str, int] = {}
    for table in REFERENCE_TABLES:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        counts[table] = row[0] if row else 0
    return TableCounts(counts)


def check_seed(seed: int) -> int:
    if not 0 <= seed <= MAX_RANDOM_SEED:
        raise AppError(f"--random-seed must be between 0 and {MAX_RANDOM_SEED}, got {seed}")
    return seed


def setseed_value(seed: int) -> float:
    """The `setseed` argument (-1..1) for an integer seed: 0..100 give seed/100, so the default
    42 is the 0.42 SPEC section 2 was measured with; larger seeds map one-to-one into [-1, 0)."""
    check_seed(seed)
    return seed / 100 if seed <= 100 else -seed / MAX_RANDOM_SEED


def set_user_triggers(
    conn: psycopg.Connection[tuple[int]], tables: tuple[str, ...], *, enabled: bool
) -> None:
    # Per-row triggers (live notifications, rollup maintenance) would fire for every row of a
    # bulk write; the loaders rebuild what they maintain once at the end instead.
    action = sql.SQL("ENABLE" if enabled else "DISABLE")
    for table in tables:
        conn.execute(
            sql.SQL("ALTER TABLE {} {} TRIGGER USER").format(sql.Identifier(table), action)
        )


def _set_aside_dimension_keys(conn: psycopg.Connection[tuple[int]]) -> list[sql.Composed]:
    """Drop foreign keys from outside the reference tables to the dimension tables, so the
    seed's TRUNCATE ... CASCADE does not reach them; returns the DDL that puts them back."""
    rows = conn.cursor(row_factory=tuple_row).execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'f'
          AND c.confrelid::regclass::text = ANY(%(dimensions)s)
          AND NOT c.conrelid::regclass::text = ANY(%(reference)s)
        ORDER BY 1, 2
        """,
        {"dimensions": list(DIMENSION_TABLES), "reference": list(REFERENCE_TABLES)},
    )
    restore: list[sql.Composed] = []
    for table, name, definition in rows.fetchall():
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.SQL(str(table)), sql.Identifier(str(name))
            )
        )
        restore.append(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(str(table)), sql.Identifier(str(name)), sql.SQL(str(definition))
            )
        )
    return restore


def _check_account_links(conn: psycopg.Connection[tuple[int]]) -> None:
    orphans = [
        str(row[0])
        for row in conn.cursor(row_factory=tuple_row).execute(
            "SELECT email FROM users u WHERE "
            "(u.team_member_id IS NOT NULL AND NOT EXISTS "
            "   (SELECT 1 FROM team_members m WHERE m.id = u.team_member_id)) "
            "OR (u.client_id IS NOT NULL AND NOT EXISTS "
            "   (SELECT 1 FROM clients c WHERE c.id = u.client_id)) ORDER BY email"
        )
    ]
    if orphans:
        raise AppError(
            "these accounts are linked to a team member or client the reference data does not "
            f"have: {', '.join(orphans)}; nothing was changed (re-link or remove them first)"
        )


def _shift_timestamps(conn: psycopg.Connection[tuple[int]], days: int) -> None:
    """Move every date and timestamp of the reference tables by `days` (counts unchanged)."""
    columns = conn.cursor(row_factory=tuple_row).execute(
        """
        SELECT table_name, array_agg(column_name::text ORDER BY ordinal_position)
        FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = ANY(%(t)s)
          AND data_type IN ('date', 'timestamp with time zone', 'timestamp without time zone')
        GROUP BY table_name
        """,
        {"t": list(REFERENCE_TABLES)},
    )
    for table, names in columns.fetchall():
        assignments = sql.SQL(", ").join(
            sql.SQL("{0} = {0} + make_interval(days => {1})").format(
                sql.Identifier(name), sql.Literal(days)
            )
            for name in names
        )
        conn.execute(sql.SQL("UPDATE {} SET {}").format(sql.Identifier(str(table)), assignments))


def _seed_body() -> str:
    seed_sql = reference_sql("seed.sql")
    body, found, _summary = seed_sql.partition(_SEED_END)
    if not found:
        raise AppError("database/seed.sql no longer ends its transaction with END TRANSACTION")
    return body


def load(
    libpq_url: str,
    *,
    random_seed: int = DEFAULT_RANDOM_SEED,
    replace: bool = False,
    as_of: date = SEED_AS_OF,
    progress: Progress | None = None,
) -> TableCounts:
    """Run seed.sql into a migrated database, then shift every timestamp so the data ends at
    `as_of` instead of the seed's own 2025-12-01. Refuses a database holding tickets or
    clients unless `replace`, which empties the seven reference tables and what hangs off
    tickets, and keeps user accounts, their sessions and tokens."""
    setseed = setseed_value(random_seed)
    body = _seed_body()
    report = progress or (lambda _step, _done, _total: None)
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        existing = table_counts(conn)
        if existing.total() and not replace:
            raise DatabaseNotEmpty(
                f"the database already holds data ({existing.counts['tickets']:,} tickets); "
                "pass --replace to wipe the reference tables and load again "
                "(user accounts are kept)"
            )
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET statement_timeout = 0")
        conn.execute(f"DROP SCHEMA IF EXISTS {_CLOCK_SCHEMA} CASCADE")
        with conn.transaction():
            restore_keys = _set_aside_dimension_keys(conn)
            conn.execute("SELECT setseed(%s)", (setseed,))
            conn.execute(f"CREATE SCHEMA {_CLOCK_SCHEMA}")
            conn.execute(
                f"CREATE FUNCTION {_CLOCK_SCHEMA}.now() RETURNS timestamptz "
                f"LANGUAGE sql IMMUTABLE AS $$ SELECT '{AS_OF}'::timestamptz $$"
            )
            conn.execute(f"SET LOCAL search_path = {_CLOCK_SCHEMA}, pg_catalog, public")
            report("seed", 0, 1)
            # One simple-protocol call for the seed's statements.
            conn.execute(body.encode())
            report("seed", 1, 1)
            conn.execute("RESET search_path")
            conn.execute(f"DROP SCHEMA {_CLOCK_SCHEMA} CASCADE")
            _check_account_links(conn)
            for statement in restore_keys:
                conn.execute(statement)
            days = (as_of - SEED_AS_OF).days
            if days:
                report("shift", 0, 1)
                set_user_triggers(conn, REFERENCE_TABLES, enabled=False)
                _shift_timestamps(conn, days)
                set_user_triggers(conn, REFERENCE_TABLES, enabled=True)
                report("shift", 1, 1)
            events.backfill(conn)
            kept = conn.execute("SELECT count(*) FROM users").fetchone()
        counts = table_counts(conn)
        return TableCounts(counts.counts, accounts_kept=kept[0] if kept else 0)
