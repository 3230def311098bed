"""Analytics rollups: a cube of additive ticket measures and a compact table of resolution
hours, kept exact by statement-level triggers with transition tables.

`analytics_cube` holds, for tickets bucketed by creation day/month (basis 'c') and by
resolution day/month (basis 'r'), sums grouped by every subset of (client, assignee, type,
priority); `gmask` says which of those columns a row is grouped by (1 assignee, 2 type,
4 priority, 8 client), the others are NULL. A query picks the subset its filters and its
grouping need, full months from grain 'm' and the partial months at its edges from grain 'd'.
Unique keys treat NULLs as equal (PostgreSQL >= 15), so NULL assignee/priority are values.

`analytics_resolution` has one narrow row per resolved ticket, indexed by (priority, hours):
exact `percentile_cont` over a presorted, index-only input.

Triggers do nothing while `analytics_rollup_state.fresh` is false (after a TRUNCATE, or a
ticket type's expected hours changed): readers then use the raw tables, so numbers stay
exact, and `analytics_rebuild(tz)` (run at the end of every bulk load) makes them fresh.
Day and month buckets use the zone recorded in the state row.

Only `support_analytics_internal` may read the rollups (clients get no grant at all).

Revision ID: 0004_analytics
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from itertools import combinations

from alembic import op

revision: str = "0004_analytics"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"
DIMS = (("assigned_to", 1), ("ticket_type_id", 2), ("priority", 4), ("client_id", 8))
KEY = "basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority"
MEASURES = (
    "n",
    "n_open",
    "n_closed",
    "n_resolved",
    "res_hours",
    "n_rating",
    "rating_sum",
    "n_sat",
    "n_late_done",
    "n_open_typed",
)

# One row per ticket (or feedback) change: its dimensions and what it adds (s = +1 / -1).
# tw = 1 when the ticket itself is counted, 0 for a feedback change (ratings move only).
FACTS = """
SELECT {sign}::int AS s, {tw}::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM {source}
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
"""

TICKET_SOURCE = "{tickets} t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id"
FEEDBACK_SOURCE = "{feedback} f JOIN tickets t ON t.id = f.ticket_id"


def _sets(grains: tuple[str, str], dims: tuple[str, ...]) -> str:
    groups = []
    for grain in grains:
        for size in range(len(dims) + 1):
            for subset in combinations(dims, size):
                groups.append("(" + ", ".join((grain, *subset)) + ")")
    return ", ".join(groups)


def _mask(dims: tuple[str, ...]) -> str:
    return " + ".join(f"(1 - GROUPING({name})) * {bit}" for name, bit in DIMS if name in dims)


def _dim_values(dims: tuple[str, ...]) -> str:
    return ", ".join(name if name in dims else f"NULL::{_dim_type(name)}" for name, _ in DIMS)


def _dim_type(name: str) -> str:
    return "varchar" if name == "priority" else "int"


def created_delta(facts: str) -> str:
    dims = ("assigned_to", "ticket_type_id", "priority", "client_id")
    late = "(NOT is_open AND has_created AND hours > expected)"
    open_typed = "(is_open AND has_created AND expected IS NOT NULL)"
    return f"""
SELECT 'c'::text AS basis, ({_mask(dims)})::smallint AS gmask,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(cday) = 0 THEN cday ELSE cmonth END AS bucket,
       client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint,
       sum(s * tw * is_open::int)::bigint,
       sum(s * tw * is_closed::int)::bigint,
       sum(s * tw * (hours IS NOT NULL)::int)::bigint,
       coalesce(sum(s * tw * hours), 0)::float8,
       sum(s * (rating IS NOT NULL)::int)::bigint,
       sum(s * coalesce(rating, 0))::bigint,
       sum(s * coalesce(rating >= 4, false)::int)::bigint,
       sum(s * tw * coalesce({late}, false)::int)::bigint,
       sum(s * tw * coalesce({open_typed}, false)::int)::bigint
FROM ({facts}) facts
GROUP BY GROUPING SETS ({_sets(("cday", "cmonth"), dims)})
"""


def resolved_delta(facts: str) -> str:
    dims = ("assigned_to", "ticket_type_id", "priority")
    zeros = ", ".join(["0"] * (len(MEASURES) - 1))
    return f"""
SELECT 'r'::text AS basis, ({_mask(dims)})::smallint AS gmask,
       CASE WHEN GROUPING(rday) = 0 THEN 'd' ELSE 'm' END AS grain,
       CASE WHEN GROUPING(rday) = 0 THEN rday ELSE rmonth END AS bucket,
       NULL::int AS client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint, {zeros}
FROM ({facts}) facts
WHERE has_resolved
GROUP BY GROUPING SETS ({_sets(("rday", "rmonth"), dims)})
"""


def upsert(delta: str) -> str:
    columns = ", ".join(MEASURES)
    updates = ", ".join(f"{m} = c.{m} + excluded.{m}" for m in MEASURES)
    return f"""
INSERT INTO analytics_cube AS c ({KEY}, {columns})
SELECT * FROM ({delta}) delta ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
ON CONFLICT ({KEY}) DO UPDATE SET {updates}
"""


def insert_all(delta: str) -> str:
    """For the rebuild: the cube is empty, nothing to merge."""
    return f"INSERT INTO analytics_cube ({KEY}, {', '.join(MEASURES)}) {delta}"


def ticket_facts(table: str, sign: int) -> str:
    return FACTS.format(sign=sign, tw=1, source=TICKET_SOURCE.format(tickets=table))


def feedback_facts(table: str, sign: int) -> str:
    return FACTS.format(sign=sign, tw=0, source=FEEDBACK_SOURCE.format(feedback=table))


RESOLUTION_INSERT = """
INSERT INTO analytics_resolution (ticket_id, priority, cday, assigned_to, ticket_type_id, hours)
SELECT t.id, t.priority, (t.created_at AT TIME ZONE z.tz)::date, t.assigned_to,
       t.ticket_type_id, (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8
FROM {table} t CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
WHERE t.resolved_at IS NOT NULL AND t.created_at IS NOT NULL
"""


def _function(name: str, body: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $fn$
BEGIN
  IF NOT (SELECT fresh FROM analytics_rollup_state) THEN RETURN NULL; END IF;
  {body}
  RETURN NULL;
END $fn$
"""


def _ticket_body(new: bool, old: bool) -> str:
    parts = []
    facts = []
    if old:
        facts.append(ticket_facts("old_rows", -1))
        parts.append(
            "DELETE FROM analytics_resolution r USING old_rows o WHERE r.ticket_id = o.id;"
        )
    if new:
        facts.append(ticket_facts("new_rows", 1))
        parts.append(RESOLUTION_INSERT.format(table="new_rows") + ";")
    union = " UNION ALL ".join(facts)
    return (
        upsert(created_delta(union))
        + ";\n"
        + upsert(resolved_delta(union))
        + ";\n"
        + "\n".join(parts)
    )


def _feedback_body(new: bool, old: bool) -> str:
    facts = []
    if old:
        facts.append(feedback_facts("old_rows", -1))
    if new:
        facts.append(feedback_facts("new_rows", 1))
    return upsert(created_delta(" UNION ALL ".join(facts))) + ";"


TRIGGERS = (
    ("tickets", "INSERT", "REFERENCING NEW TABLE AS new_rows", _ticket_body(True, False)),
    (
        "tickets",
        "UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _ticket_body(True, True),
    ),
    ("tickets", "DELETE", "REFERENCING OLD TABLE AS old_rows", _ticket_body(False, True)),
    ("ticket_feedback", "INSERT", "REFERENCING NEW TABLE AS new_rows", _feedback_body(True, False)),
    (
        "ticket_feedback",
        "UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _feedback_body(True, True),
    ),
    ("ticket_feedback", "DELETE", "REFERENCING OLD TABLE AS old_rows", _feedback_body(False, True)),
)

REBUILD = f"""
CREATE FUNCTION analytics_rebuild(p_timezone text) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  PERFORM now() AT TIME ZONE p_timezone;  -- rejects an unknown zone before any change
  UPDATE analytics_rollup_state SET timezone = p_timezone, fresh = false;
  TRUNCATE analytics_cube, analytics_resolution;
  {insert_all(created_delta(ticket_facts("tickets", 1)))};
  {insert_all(resolved_delta(ticket_facts("tickets", 1)))};
  {RESOLUTION_INSERT.format(table="tickets")};
  UPDATE analytics_rollup_state SET fresh = true, built_at = clock_timestamp();
  ANALYZE analytics_cube;
  ANALYZE analytics_resolution;
END $fn$
"""

STALE = """
CREATE FUNCTION analytics_mark_stale() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $fn$
BEGIN
  IF TG_OP = 'TRUNCATE' OR TG_TABLE_NAME = 'ticket_types' THEN
    UPDATE analytics_rollup_state SET fresh = false WHERE fresh;
  END IF;
  RETURN NULL;
END $fn$
"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE analytics_rollup_state (
          id boolean PRIMARY KEY DEFAULT true CHECK (id),
          timezone text NOT NULL DEFAULT 'UTC',
          fresh boolean NOT NULL DEFAULT false,
          built_at timestamptz
        );
        INSERT INTO analytics_rollup_state DEFAULT VALUES;
        CREATE TABLE analytics_cube (
          basis text NOT NULL,
          gmask smallint NOT NULL,
          grain text NOT NULL,
          bucket date,
          client_id int,
          assigned_to int,
          ticket_type_id int,
          priority varchar(20),
          n bigint NOT NULL,
          n_open bigint NOT NULL,
          n_closed bigint NOT NULL,
          n_resolved bigint NOT NULL,
          res_hours float8 NOT NULL,
          n_rating bigint NOT NULL,
          rating_sum bigint NOT NULL,
          n_sat bigint NOT NULL,
          n_late_done bigint NOT NULL,
          n_open_typed bigint NOT NULL
        );
        CREATE UNIQUE INDEX analytics_cube_key ON analytics_cube
          (basis, gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority)
          NULLS NOT DISTINCT;
        CREATE TABLE analytics_resolution (
          ticket_id int PRIMARY KEY,
          priority varchar(20),
          cday date,
          assigned_to int,
          ticket_type_id int NOT NULL,
          hours float8 NOT NULL
        );
        CREATE INDEX analytics_resolution_priority_hours ON analytics_resolution
          (priority, hours) INCLUDE (cday, assigned_to, ticket_type_id);
        CREATE INDEX analytics_tickets_client_created ON tickets (client_id, created_at);
        """
    )
    op.execute(REBUILD)
    op.execute(STALE)
    for table, event, referencing, body in TRIGGERS:
        name = f"analytics_{table}_{event.lower()}"
        op.execute(_function(name, body))
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    for table in ("tickets", "ticket_feedback", "ticket_types"):
        op.execute(
            f"CREATE TRIGGER analytics_stale_{table} AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_stale()"
        )
    op.execute(
        "CREATE TRIGGER analytics_stale_types AFTER UPDATE OR DELETE ON ticket_types "
        "FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_stale()"
    )
    op.execute("SELECT analytics_rebuild('UTC')")
    for name in ("analytics_rebuild(text)", "analytics_mark_stale()"):
        op.execute(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
    for table, event, _, _ in TRIGGERS:
        op.execute(f"REVOKE ALL ON FUNCTION analytics_{table}_{event.lower()}() FROM PUBLIC")
    for table in ("analytics_rollup_state", "analytics_cube", "analytics_resolution"):
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"GRANT SELECT ON {table} TO {INTERNAL}")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS analytics_stale_types ON ticket_types")
    for table in ("tickets", "ticket_feedback", "ticket_types"):
        op.execute(f"DROP TRIGGER IF EXISTS analytics_stale_{table} ON {table}")
    for table, event, _, _ in TRIGGERS:
        name = f"analytics_{table}_{event.lower()}"
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DROP FUNCTION IF EXISTS analytics_mark_stale()")
    op.execute("DROP FUNCTION IF EXISTS analytics_rebuild(text)")
    op.execute("DROP INDEX IF EXISTS analytics_tickets_client_created")
    op.execute("DROP TABLE IF EXISTS analytics_resolution, analytics_cube, analytics_rollup_state")
