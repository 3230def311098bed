"""First-response histograms in wide bins: `analytics_frt_wide` (the rows of
`analytics_frt_hist` with 16 consecutive bins summed into one, `bin / 16`, their counts kept
beside it as `fine`, `fine[i + 1]` for the histogram's bin `16 * bin + i`) and
`analytics_frt_wide_any_priority` (those with the priority summed away too, as
`analytics_frt_hist_any_priority`).

A percentile read summed every bin of every slice it needed: 1,034 bins per month and
priority at 1M generated tickets, 68,861 histogram rows (28 ms server side) for a
responsiveness bar "created on or before a day, not unassigned, none of four types", and
up to 65 ms for the team table's bar of the same filter. The readers now sum the wide bins
(a sixteenth of the rows on busy buckets), locate each wanted row's wide bin, and read the
fine counts of those wide bins only, from the same rows, before the one-row read at an
offset as before. Reading the fine bins from the histogram instead cost as much as the
whole read: its bin is its key's last column, so picking a few bins of many buckets walks
them all and fetches every match by index.

Rollups of rollups, kept exact by statement triggers as 0022's: `analytics_frt_wide` by
triggers on `analytics_frt_hist`, `analytics_frt_wide_any_priority` by triggers on
`analytics_frt_wide` (its rows not grouped by client); a TRUNCATE empties them down the
chain. RLS and grants as the histogram's: a live internal session reads them.

Revision ID: 0030_frt_wide_bins
Revises: 0029_update_triggers_hash
Create Date: 2026-11-30
"""

from collections.abc import Callable, Sequence

from alembic import op

revision: str = "0030_frt_wide_bins"
down_revision: str | None = "0029_update_triggers_hash"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"
WIDTH = 16
WIDE = "analytics_frt_wide"
WIDE_ANY = "analytics_frt_wide_any_priority"
WIDE_KEY = "gmask, grain, bucket, assigned_to, ticket_type_id, priority, client_id"
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
    bin integer NOT NULL,
    n bigint NOT NULL,
    fine integer[] NOT NULL CHECK (cardinality(fine) = {WIDTH}){client}
);
CREATE UNIQUE INDEX {name}_key ON {name} ({key}, bin) NULLS NOT DISTINCT;
REVOKE ALL ON {name} FROM PUBLIC;
GRANT SELECT ON {name} TO {INTERNAL};
ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {name} FORCE ROW LEVEL SECURITY;
CREATE POLICY {name}_internal_select ON {name} AS PERMISSIVE
  FOR SELECT TO {INTERNAL} USING ((SELECT sa_session_is_internal()));
"""


_TABLES = (
    _table(WIDE, WIDE_KEY, "", ",\n    client_id integer")
    + f"CREATE INDEX {WIDE}_client ON {WIDE} (grain, bucket, client_id) WHERE gmask = 4;\n"
    + _table(WIDE_ANY, ANY_KEY, " CHECK (priority IS NULL)", "")
)

_ADDED = ", ".join(f"a.fine[{i}] + excluded.fine[{i}]" for i in range(1, WIDTH + 1))


def _apply(table: str, key: str, rows: str, fine: str) -> str:
    """Add `rows` (rows with a bin and a signed count `sn`) to `table`: one upsert; `fine`
    sums their fine counts as an array."""
    return f"""
INSERT INTO {table} AS a ({key}, bin, n, fine)
SELECT {key}, bin, sum(sn), {fine}
FROM ({rows}) r
GROUP BY {key}, bin
ORDER BY {key}, bin
ON CONFLICT ({key}, bin) DO UPDATE SET n = a.n + excluded.n, fine = ARRAY[{_ADDED}]
"""


# Histogram rows carry their own (fine) bin: the wide row counts each at its place.
_FROM_HIST = "ARRAY[{}]::integer[]".format(
    ", ".join(f"coalesce(sum(sn) FILTER (WHERE fine_bin % {WIDTH} = {i}), 0)" for i in range(WIDTH))
)
# Wide rows carry arrays: summed place by place, signed.
_FROM_WIDE = "ARRAY[{}]::integer[]".format(
    ", ".join(f"sum(sg * fine[{i}])" for i in range(1, WIDTH + 1))
)

Rows = Callable[[str, str], str]


def _triggers(
    source: str, table: str, key: str, select: Rows, fine: str
) -> tuple[tuple[str, str, str], ...]:
    """(event, REFERENCING clause, body) of the four triggers on `source` that keep `table`;
    `select(rows, sign)` reads a transition table's rows as `table`'s."""
    return (
        (
            "insert",
            "REFERENCING NEW TABLE AS new_rows",
            _apply(table, key, select("new_rows", "1"), fine),
        ),
        (
            "update",
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            _apply(
                table, key, f"{select('old_rows', '-1')} UNION ALL {select('new_rows', '1')}", fine
            ),
        ),
        (
            "delete",
            "REFERENCING OLD TABLE AS old_rows",
            _apply(table, key, select("old_rows", "-1"), fine),
        ),
        ("truncate", "", f"TRUNCATE {table}"),
    )


def _wide_rows(rows: str, sign: str) -> str:
    return f"SELECT {WIDE_KEY}, bin / {WIDTH} AS bin, bin AS fine_bin, {sign} * n AS sn FROM {rows}"


def _any_rows(rows: str, sign: str) -> str:
    # The rows grouped by client (gmask 4) are not grouped by assignee or type: the team
    # table never reads them, as 0022's table leaves them out.
    return (
        f"SELECT {ANY_KEY}, bin, {sign} AS sg, {sign} * n AS sn, fine FROM {rows} WHERE gmask < 4"
    )


CHAINS: tuple[tuple[str, str, str, str, Rows, str], ...] = (
    ("analytics_frt_hist", "analytics_frt_wide", WIDE, WIDE_KEY, _wide_rows, _FROM_HIST),
    (WIDE, "analytics_frt_wide_any", WIDE_ANY, ANY_KEY, _any_rows, _FROM_WIDE),
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


def upgrade() -> None:
    op.execute(_TABLES)
    for source, prefix, table, key, select, fine in CHAINS:
        for event, referencing, body in _triggers(source, table, key, select, fine):
            name = f"{prefix}_{event}"
            op.execute(_function(name, body))
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {source} "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
            op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
    # Filling the wide table fills the other through its triggers.
    op.execute(_apply(WIDE, WIDE_KEY, _wide_rows("analytics_frt_hist", "1"), _FROM_HIST))
    op.execute(f"ANALYZE {WIDE}")
    op.execute(f"ANALYZE {WIDE_ANY}")


def downgrade() -> None:
    for source, prefix, table, _, _, _ in reversed(CHAINS):
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {prefix}_{event} ON {source}")
            op.execute(f"DROP FUNCTION IF EXISTS {prefix}_{event}()")
        op.execute(f"DROP TABLE IF EXISTS {table}")
