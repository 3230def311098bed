"""Analytics: week rows in the cube, so a date range's edges read at most six days each.

With only day and month rows, a range's partial months were read day by day: up to ~60 days
of rows, and with several filters combined (the slices grouped by client, assignee, type and
priority) tens of thousands of rows per query at 1M tickets. Grain 'w' adds rows per *week
segment*: a Monday-to-Sunday week cut at month boundaries, so every segment lies inside one
month (monthly series stay exact) and starts on a Monday or on the 1st. A range is then
covered by whole months, then whole segments, then single days.

The trigger functions and `analytics_rebuild` are replaced by versions that also maintain the
week rows (same names, same triggers); the week rows of the existing data are added once here.
The SQL generators below are a frozen copy of 0004_analytics's, with the grain made a list.

Revision ID: 0004_weeks
Revises: 0004_hist
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from itertools import combinations

from alembic import op

revision: str = "0004_weeks"
down_revision: str | None = "0004_hist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
# (label, created-basis column, resolved-basis column), finest first.
DAY = ("d", "cday", "rday")
WEEK = ("w", "cweek", "rweek")
MONTH = ("m", "cmonth", "rmonth")
ALL_GRAINS = (DAY, WEEK, MONTH)
OLD_GRAINS = (DAY, MONTH)


def _segment(ts: str) -> str:
    return f"greatest(date_trunc('week', {ts}), date_trunc('month', {ts}))::date"


FACTS = f"""
SELECT {{sign}}::int AS s, {{tw}}::int AS tw,
       (t.created_at AT TIME ZONE z.tz)::date AS cday,
       {_segment("t.created_at AT TIME ZONE z.tz")} AS cweek,
       date_trunc('month', t.created_at AT TIME ZONE z.tz)::date AS cmonth,
       (t.resolved_at AT TIME ZONE z.tz)::date AS rday,
       {_segment("t.resolved_at AT TIME ZONE z.tz")} AS rweek,
       date_trunc('month', t.resolved_at AT TIME ZONE z.tz)::date AS rmonth,
       t.resolved_at IS NOT NULL AS has_resolved,
       t.client_id, t.assigned_to, t.ticket_type_id, t.priority,
       coalesce(t.status IN ('open', 'in_progress'), false) AS is_open,
       coalesce(t.status IN ('resolved', 'closed'), false) AS is_closed,
       (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 AS hours,
       tt.avg_resolution_hours::float8 AS expected,
       t.created_at IS NOT NULL AS has_created,
       f.rating
FROM {{source}}
JOIN ticket_types tt ON tt.id = t.ticket_type_id
CROSS JOIN (SELECT timezone AS tz FROM analytics_rollup_state) z
"""

TICKET_SOURCE = "{tickets} t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id"
FEEDBACK_SOURCE = "{feedback} f JOIN tickets t ON t.id = f.ticket_id"

Grain = tuple[str, str, str]


def _sets(columns: tuple[str, ...], dims: tuple[str, ...]) -> str:
    groups = []
    for column in columns:
        for size in range(len(dims) + 1):
            for subset in combinations(dims, size):
                groups.append("(" + ", ".join((column, *subset)) + ")")
    return ", ".join(groups)


def _pick(columns: tuple[str, ...], values: tuple[str, ...]) -> str:
    """The value of the grouping set's own grain column (GROUPING() = 0 marks it)."""
    if len(columns) == 1:
        return values[0]
    whens = " ".join(
        f"WHEN GROUPING({column}) = 0 THEN {value}"
        for column, value in zip(columns[:-1], values[:-1], strict=True)
    )
    return f"CASE {whens} ELSE {values[-1]} END"


def _mask(dims: tuple[str, ...]) -> str:
    return " + ".join(f"(1 - GROUPING({name})) * {bit}" for name, bit in DIMS if name in dims)


def created_delta(facts: str, grains: tuple[Grain, ...]) -> str:
    dims = ("assigned_to", "ticket_type_id", "priority", "client_id")
    columns = tuple(g[1] for g in grains)
    late = "(NOT is_open AND has_created AND hours > expected)"
    open_typed = "(is_open AND has_created AND expected IS NOT NULL)"
    return f"""
SELECT 'c'::text AS basis, ({_mask(dims)})::smallint AS gmask,
       {_pick(columns, tuple(f"'{g[0]}'" for g in grains))} AS grain,
       {_pick(columns, columns)} AS bucket,
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
GROUP BY GROUPING SETS ({_sets(columns, dims)})
"""


def resolved_delta(facts: str, grains: tuple[Grain, ...]) -> str:
    dims = ("assigned_to", "ticket_type_id", "priority")
    columns = tuple(g[2] for g in grains)
    zeros = ", ".join(["0"] * (len(MEASURES) - 1))
    return f"""
SELECT 'r'::text AS basis, ({_mask(dims)})::smallint AS gmask,
       {_pick(columns, tuple(f"'{g[0]}'" for g in grains))} AS grain,
       {_pick(columns, columns)} AS bucket,
       NULL::int AS client_id, assigned_to, ticket_type_id, priority,
       sum(s * tw)::bigint, {zeros}
FROM ({facts}) facts
WHERE has_resolved
GROUP BY GROUPING SETS ({_sets(columns, dims)})
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
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $fn$
BEGIN
  IF NOT (SELECT fresh FROM analytics_rollup_state) THEN RETURN NULL; END IF;
  {body}
  RETURN NULL;
END $fn$
"""


def _ticket_body(new: bool, old: bool, grains: tuple[Grain, ...]) -> str:
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
        upsert(created_delta(union, grains))
        + ";\n"
        + upsert(resolved_delta(union, grains))
        + ";\n"
        + "\n".join(parts)
    )


def _feedback_body(new: bool, old: bool, grains: tuple[Grain, ...]) -> str:
    facts = []
    if old:
        facts.append(feedback_facts("old_rows", -1))
    if new:
        facts.append(feedback_facts("new_rows", 1))
    return upsert(created_delta(" UNION ALL ".join(facts), grains)) + ";"


def _functions(grains: tuple[Grain, ...]) -> list[str]:
    bodies = {
        "analytics_tickets_insert": _ticket_body(True, False, grains),
        "analytics_tickets_update": _ticket_body(True, True, grains),
        "analytics_tickets_delete": _ticket_body(False, True, grains),
        "analytics_ticket_feedback_insert": _feedback_body(True, False, grains),
        "analytics_ticket_feedback_update": _feedback_body(True, True, grains),
        "analytics_ticket_feedback_delete": _feedback_body(False, True, grains),
    }
    return [_function(name, body) for name, body in bodies.items()]


def _rebuild(grains: tuple[Grain, ...]) -> str:
    return f"""
CREATE OR REPLACE FUNCTION analytics_rebuild(p_timezone text) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  PERFORM now() AT TIME ZONE p_timezone;  -- rejects an unknown zone before any change
  UPDATE analytics_rollup_state SET timezone = p_timezone, fresh = false;
  TRUNCATE analytics_cube, analytics_resolution;
  {insert_all(created_delta(ticket_facts("tickets", 1), grains))};
  {insert_all(resolved_delta(ticket_facts("tickets", 1), grains))};
  {RESOLUTION_INSERT.format(table="tickets")};
  UPDATE analytics_rollup_state SET fresh = true, built_at = clock_timestamp();
  ANALYZE analytics_cube;
  ANALYZE analytics_resolution;
END $fn$
"""


def upgrade() -> None:
    for statement in (*_functions(ALL_GRAINS), _rebuild(ALL_GRAINS)):
        op.execute(statement)
    # Only the week rows are missing; when the rollups are stale the next rebuild redoes all.
    op.execute(insert_all(created_delta(ticket_facts("tickets", 1), (WEEK,))))
    op.execute(insert_all(resolved_delta(ticket_facts("tickets", 1), (WEEK,))))
    op.execute("ANALYZE analytics_cube")


def downgrade() -> None:
    for statement in (*_functions(OLD_GRAINS), _rebuild(OLD_GRAINS)):
        op.execute(statement)
    op.execute("DELETE FROM analytics_cube WHERE grain = 'w'")
