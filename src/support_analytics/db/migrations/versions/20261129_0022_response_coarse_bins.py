"""First-response bins summed over priorities: `analytics_frt_hist_any_priority`, the rows of
`analytics_frt_hist` with the priority summed away (its `priority` is always NULL), same keys
otherwise.

The team table groups the histogram by assignee; with no priority filter it summed every
assignee's bins once per priority (46,501 rows for all time at 1M generated tickets, five
priorities counting NULL). This table has a fifth of those rows, and the same exact
percentiles follow from them.

It is a rollup of the histogram, kept exact by statement triggers on `analytics_frt_hist`
itself (old rows -n, new rows +n, one upsert per statement; a TRUNCATE empties it), so
whatever writes the histogram (the facts' triggers, `analytics_response_rebuild`) keeps it
exact, and nothing else had to change. RLS and grants as the histogram's: a live internal
session reads it.

Revision ID: 0022_response_coarse_bins
Revises: 0021_client_response_facts
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022_response_coarse_bins"
down_revision: str | None = "0021_client_response_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"
TABLE = "analytics_frt_hist_any_priority"
KEY = "gmask, grain, bucket, assigned_to, ticket_type_id"

_TABLE = f"""
CREATE TABLE {TABLE} (
    gmask smallint NOT NULL,
    grain text NOT NULL,
    bucket date,
    assigned_to integer,
    ticket_type_id integer,
    priority varchar(20) CHECK (priority IS NULL),
    bin integer NOT NULL,
    n bigint NOT NULL
);
CREATE UNIQUE INDEX {TABLE}_key ON {TABLE} ({KEY}, bin) NULLS NOT DISTINCT;
REVOKE ALL ON {TABLE} FROM PUBLIC;
GRANT SELECT ON {TABLE} TO {INTERNAL};
ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY;
CREATE POLICY {TABLE}_internal_select ON {TABLE} AS PERMISSIVE
  FOR SELECT TO {INTERNAL} USING ((SELECT sa_session_is_internal()));
"""


def apply(rows: str) -> str:
    """Add `rows` (histogram rows with a signed count `sn`) to the table: one upsert."""
    return f"""
INSERT INTO {TABLE} AS a ({KEY}, bin, n)
SELECT {KEY}, bin, sum(sn)
FROM ({rows}) r
GROUP BY {KEY}, bin
ORDER BY {KEY}, bin
ON CONFLICT ({KEY}, bin) DO UPDATE SET n = a.n + excluded.n
"""


def _from(table: str, sign: str) -> str:
    return f"SELECT {KEY}, bin, {sign}n AS sn FROM {table}"


TRIGGERS = (
    ("insert", "REFERENCING NEW TABLE AS new_rows", apply(_from("new_rows", ""))),
    (
        "update",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        apply(f"{_from('old_rows', '-')} UNION ALL {_from('new_rows', '')}"),
    ),
    ("delete", "REFERENCING OLD TABLE AS old_rows", apply(_from("old_rows", "-"))),
    ("truncate", "", f"TRUNCATE {TABLE}"),
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
    op.execute(_TABLE)
    for event, referencing, body in TRIGGERS:
        name = f"analytics_frt_any_priority_{event}"
        op.execute(_function(name, body))
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON analytics_frt_hist "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
    op.execute(apply(_from("analytics_frt_hist", "")))
    op.execute(f"ANALYZE {TABLE}")


def downgrade() -> None:
    for event, _, _ in TRIGGERS:
        name = f"analytics_frt_any_priority_{event}"
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON analytics_frt_hist")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
