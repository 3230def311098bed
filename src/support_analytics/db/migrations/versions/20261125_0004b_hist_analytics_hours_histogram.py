"""Analytics: a histogram of resolution hours beside `analytics_resolution`, so exact
percentiles read a few rows instead of all of them.

Each resolution row gets a `bin` (16 per doubling of hours + 1; -1 for negative durations),
monotonic in hours, and the index becomes (priority, bin, hours). `analytics_hours_hist`
counts rows per (priority, bin) by creation day and month, grouped by nothing, by assignee
or by type (`gmask` 1 assignee, 2 type). A percentile's row is then found by walking the
cumulated bin counts and reading, inside one bin only, the row at its offset.

Two partial indexes on tickets serve the overdue list: per type, the oldest open tickets
and the slowest resolved ones are the most overdue (the type's expectation is a constant).

The histogram mirrors `analytics_resolution` through statement-level triggers on that table,
so whatever keeps the resolution rows exact keeps the histogram exact too.

Revision ID: 0004_hist
Revises: 0004_analytics
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_hist"
down_revision: str | None = "0004_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"
KEY = "gmask, grain, bucket, assigned_to, ticket_type_id, priority, bin"
SETS = ", ".join(
    f"({grain}{extra})"
    for grain in ("cday", "cmonth")
    for extra in ("", ", assigned_to", ", ticket_type_id")
)


def delta(table: str, sign: int) -> str:
    return f"""
INSERT INTO analytics_hours_hist AS h ({KEY}, n)
SELECT ((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' ELSE 'm' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday ELSE cmonth END,
       assigned_to, ticket_type_id, priority, bin, {sign} * count(*)
FROM (SELECT r.*, date_trunc('month', r.cday)::date AS cmonth FROM {table} r) rows
GROUP BY priority, bin, GROUPING SETS ({SETS})
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT ({KEY}) DO UPDATE SET n = h.n + excluded.n
"""


def _function(name: str, body: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $fn$
BEGIN
  {body};
  RETURN NULL;
END $fn$
"""


TRIGGERS = (
    ("insert", "REFERENCING NEW TABLE AS new_rows", delta("new_rows", 1)),
    ("delete", "REFERENCING OLD TABLE AS old_rows", delta("old_rows", -1)),
    ("truncate", "", "TRUNCATE analytics_hours_hist"),
)


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION analytics_hours_bin(hours float8) RETURNS int
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
          SELECT CASE WHEN hours < 0 THEN -1
                      ELSE floor(log(2.0, (hours + 1)::numeric) * 16)::int END
        $$;
        DROP INDEX analytics_resolution_priority_hours;
        ALTER TABLE analytics_resolution
          ADD COLUMN bin int GENERATED ALWAYS AS (analytics_hours_bin(hours)) STORED;
        CREATE INDEX analytics_resolution_priority_bin_hours ON analytics_resolution
          (priority, bin, hours) INCLUDE (cday, assigned_to, ticket_type_id);
        CREATE INDEX analytics_tickets_open_by_age ON tickets (ticket_type_id, created_at, id)
          WHERE status IN ('open', 'in_progress');
        CREATE INDEX analytics_tickets_done_by_duration ON tickets
          (ticket_type_id, (resolved_at - created_at) DESC, id)
          WHERE coalesce(status IN ('open', 'in_progress'), false) IS false
            AND resolved_at IS NOT NULL;
        CREATE TABLE analytics_hours_hist (
          gmask smallint NOT NULL,
          grain text NOT NULL,
          bucket date,
          assigned_to int,
          ticket_type_id int,
          priority varchar(20),
          bin int NOT NULL,
          n bigint NOT NULL
        );
        CREATE UNIQUE INDEX analytics_hours_hist_key ON analytics_hours_hist
          (gmask, grain, bucket, assigned_to, ticket_type_id, priority, bin) NULLS NOT DISTINCT;
        """
    )
    for event, referencing, body in TRIGGERS:
        name = f"analytics_hist_{event}"
        op.execute(_function(name, body))
        level = "STATEMENT"
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON analytics_resolution {referencing} "
            f"FOR EACH {level} EXECUTE FUNCTION {name}()"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
    op.execute(delta("analytics_resolution", 1))
    op.execute("ANALYZE analytics_hours_hist")
    op.execute("REVOKE ALL ON analytics_hours_hist FROM PUBLIC")
    op.execute(f"GRANT SELECT ON analytics_hours_hist TO {INTERNAL}")


def downgrade() -> None:
    for event, _, _ in TRIGGERS:
        name = f"analytics_hist_{event}"
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON analytics_resolution")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DROP TABLE IF EXISTS analytics_hours_hist")
    op.execute("DROP INDEX IF EXISTS analytics_tickets_open_by_age")
    op.execute("DROP INDEX IF EXISTS analytics_tickets_done_by_duration")
    op.execute("DROP INDEX IF EXISTS analytics_resolution_priority_bin_hours")
    op.execute("ALTER TABLE analytics_resolution DROP COLUMN IF EXISTS bin")
    op.execute("DROP FUNCTION IF EXISTS analytics_hours_bin(float8)")
    op.execute(
        "CREATE INDEX analytics_resolution_priority_hours ON analytics_resolution "
        "(priority, hours) INCLUDE (cday, assigned_to, ticket_type_id)"
    )
