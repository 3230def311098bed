"""Each slice's wide-bin counts as one row: `analytics_frt_counts` (the rows of
`analytics_frt_wide` with their bins folded into an array, `wide[b + 1]` the count of wide
bin `b`) and `analytics_frt_counts_any_priority` (the same of
`analytics_frt_wide_any_priority`); and the wide tables' key indexes with the bin right
after the grain.

A percentile read first sums the wide bins of every bucket of its date runs, per priority or
per assignee: one row per (bucket, slice, wide bin), 64 of the 89 wide bins present in a
busy week. At 1M generated tickets the team table's bars "between two dates, none of four
types" summed 24,000-30,000 such rows (13-20 ms server side: every row through the index
scan, the append of the slices and the aggregate). Folded, a bucket's slice is one row: the
same bars read ~1,100 rows and add 89 places each, 2x less time. Then the read takes the fine
counts of the few wide bins it needs from the wide table: with the bin as its key's last
column that walked every bin's entries of the date range (5-9 ms); after the grain it reads
the wanted bins' ranges only (2-3 ms). The wide table is no longer summed bin by bin, so its
key's order serves the narrowing alone; `ON CONFLICT` infers the index by its columns, which
are the same.

Rollups of rollups, kept exact by statement triggers as 0030's: `analytics_frt_counts` by
triggers on `analytics_frt_wide`, `analytics_frt_counts_any_priority` by triggers on
`analytics_frt_wide_any_priority`; a TRUNCATE empties them down the chain. RLS and grants as
the histogram's: a live internal session reads them.

Revision ID: 0032_frt_wide_counts
Revises: 0031_frt_read_indexes
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0032_frt_wide_counts"
down_revision: str | None = "0031_frt_read_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"
# analytics_frt_bin (0019) returns 0..1408; a wide bin is 16 of them (0030): 0..88.
WIDE_BINS = 89
COUNTS = "analytics_frt_counts"
COUNTS_ANY = "analytics_frt_counts_any_priority"
WIDE = "analytics_frt_wide"
WIDE_ANY = "analytics_frt_wide_any_priority"
KEY = "gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id"
ANY_KEY = "gmask, grain, bucket, assigned_to, ticket_type_id"


def _table(name: str, key: str, priority_check: str, client: str) -> str:
    return f"""
CREATE TABLE {name} (
    gmask smallint NOT NULL,
    grain text NOT NULL,
    bucket date,
    assigned_to integer,
    ticket_type_id integer,
    priority varchar(20){priority_check},
    wide integer[] NOT NULL CHECK (cardinality(wide) = {WIDE_BINS}){client}
);
CREATE UNIQUE INDEX {name}_key ON {name} ({key}) NULLS NOT DISTINCT;
REVOKE ALL ON {name} FROM PUBLIC;
GRANT SELECT ON {name} TO {INTERNAL};
ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {name} FORCE ROW LEVEL SECURITY;
CREATE POLICY {name}_internal_select ON {name} AS PERMISSIVE
  FOR SELECT TO {INTERNAL} USING ((SELECT sa_session_is_internal()));
"""


_TABLES = (
    _table(COUNTS, KEY, "", ",\n    client_id integer")
    + f"CREATE INDEX {COUNTS}_client ON {COUNTS} (grain, bucket, client_id) WHERE gmask = 4;\n"
    + _table(COUNTS_ANY, ANY_KEY, " CHECK (priority IS NULL)", "")
)

# Wide rows (key, bin, signed count `sn`) folded into one array per key.
_FOLDED = "ARRAY[{}]::integer[]".format(
    ", ".join(f"coalesce(sum(sn) FILTER (WHERE bin = {b}), 0)" for b in range(WIDE_BINS))
)
_ADDED = ", ".join(f"a.wide[{i}] + excluded.wide[{i}]" for i in range(1, WIDE_BINS + 1))


def _apply(table: str, key: str, rows: str) -> str:
    """Add `rows` (wide rows with a signed count `sn`) to `table`: one upsert."""
    return f"""
INSERT INTO {table} AS a ({key}, wide)
SELECT {key}, {_FOLDED}
FROM ({rows}) r
GROUP BY {key}
ORDER BY {key}
ON CONFLICT ({key}) DO UPDATE SET wide = ARRAY[{_ADDED}]
"""


def _rows(key: str, rows: str, sign: str) -> str:
    return f"SELECT {key}, bin, {sign} * n AS sn FROM {rows}"


def _triggers(source: str, table: str, key: str) -> tuple[tuple[str, str, str], ...]:
    """(event, REFERENCING clause, body) of the four triggers on `source` that keep `table`."""
    return (
        (
            "insert",
            "REFERENCING NEW TABLE AS new_rows",
            _apply(table, key, _rows(key, "new_rows", "1")),
        ),
        (
            "update",
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            _apply(
                table,
                key,
                f"{_rows(key, 'old_rows', '-1')} UNION ALL {_rows(key, 'new_rows', '1')}",
            ),
        ),
        (
            "delete",
            "REFERENCING OLD TABLE AS old_rows",
            _apply(table, key, _rows(key, "old_rows", "-1")),
        ),
        ("truncate", "", f"TRUNCATE {table}"),
    )


# (source, trigger prefix, table, key)
CHAINS: tuple[tuple[str, str, str, str], ...] = (
    (WIDE, "analytics_frt_counts", COUNTS, KEY),
    (WIDE_ANY, "analytics_frt_counts_any", COUNTS_ANY, ANY_KEY),
)


def _function(name: str, body: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $fn$
BEGIN
  {body};
  RETURN NULL;
END $fn$
"""


def _key_index(table: str, key: str, *, bin_first: bool) -> str:
    head, tail = "gmask, grain", key.removeprefix("gmask, grain, ")
    columns = f"{head}, bin, {tail}" if bin_first else f"{key}, bin"
    return f"""
DROP INDEX {table}_key;
CREATE UNIQUE INDEX {table}_key ON {table} ({columns}) NULLS NOT DISTINCT;
"""


def upgrade() -> None:
    op.execute(_TABLES)
    for source, prefix, table, key in CHAINS:
        for event, referencing, body in _triggers(source, table, key):
            name = f"{prefix}_{event}"
            op.execute(_function(name, body))
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {source} "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
            op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
        op.execute(_apply(table, key, _rows(key, source, "1")))
        op.execute(f"ANALYZE {table}")
        op.execute(_key_index(source, key, bin_first=True))


def downgrade() -> None:
    for source, prefix, table, key in reversed(CHAINS):
        op.execute(_key_index(source, key, bin_first=False))
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {prefix}_{event} ON {source}")
            op.execute(f"DROP FUNCTION IF EXISTS {prefix}_{event}()")
        op.execute(f"DROP TABLE IF EXISTS {table}")
