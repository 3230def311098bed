"""Load the reference dataset: `database/schema.sql`'s tables (via migrations) filled by
`database/seed.sql`, run verbatim.

The seed draws everything from `random()` and stamps top-up payments with `NOW()`. To make a
load repeatable we seed the generator (`setseed`) and, for the length of the load only, put a
schema first on the search_path whose `now()` returns the data's fixed as-of instant. The seed
declares PL/pgSQL `TIMESTAMP` variables and stores them in `timestamptz` columns, so the
session runs in UTC, as the dataset's authors did.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import psycopg

from support_analytics.analytics import rollups
from support_analytics.config import get_settings
from support_analytics.errors import AppError

DEFAULT_RANDOM_SEED = 0.42
# The last instant the seed can produce data for (Nov tickets + 48 h resolutions).
AS_OF = "2025-12-01 00:00:00+00"
REFERENCE_TABLES = (
    "clients",
    "team_members",
    "ticket_types",
    "tickets",
    "ticket_messages",
    "ticket_feedback",
    "payments",
)
_CLOCK_SCHEMA = "reference_seed_clock"


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

    def total(self) -> int:
        return sum(self.counts.values())


def table_counts(conn: psycopg.Connection[tuple[int]]) -> TableCounts:
    counts: dict[str, int] = {}
    for table in REFERENCE_TABLES:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        counts[table] = row[0] if row else 0
    return TableCounts(counts)


def check_seed(seed: float) -> float:
    if not -1.0 <= seed <= 1.0:
        raise AppError(f"--random-seed must be between -1 and 1 (PostgreSQL setseed), got {seed}")
    return seed


def load(
    libpq_url: str, *, random_seed: float = DEFAULT_RANDOM_SEED, replace: bool = False
) -> TableCounts:
    """Run seed.sql into a migrated database. Refuses a database holding tickets or clients
    unless `replace` (the seed itself truncates the seven tables, CASCADE)."""
    check_seed(random_seed)
    seed_sql = reference_sql("seed.sql")
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        existing = table_counts(conn)
        if existing.total() and not replace:
            raise DatabaseNotEmpty(
                f"the database already holds data ({existing.counts['tickets']:,} tickets); "
                "pass --replace to wipe the reference tables and load again"
            )
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SELECT setseed(%s)", (random_seed,))
        conn.execute(f"DROP SCHEMA IF EXISTS {_CLOCK_SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {_CLOCK_SCHEMA}")
        conn.execute(
            f"CREATE FUNCTION {_CLOCK_SCHEMA}.now() RETURNS timestamptz "
            f"LANGUAGE sql IMMUTABLE AS $$ SELECT '{AS_OF}'::timestamptz $$"
        )
        try:
            conn.execute(f"SET search_path = {_CLOCK_SCHEMA}, pg_catalog, public")
            # One simple-protocol call: the seed ends with a bare END TRANSACTION.
            conn.execute(seed_sql.encode())
        finally:
            conn.execute("RESET search_path")
            conn.execute(f"DROP SCHEMA IF EXISTS {_CLOCK_SCHEMA} CASCADE")
        rollups.rebuild(conn, get_settings().reporting_timezone)
        rollups.vacuum(conn)
        return table_counts(conn)
