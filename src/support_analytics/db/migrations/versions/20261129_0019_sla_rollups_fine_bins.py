"""SLA counts as a rollup, indexes for the breaches list, and finer first-response bins.

- `analytics_sla_cube`: per creation day / week segment / month / all time (grain 'd', 'w',
  'm', 'a'), priority,
  target, and grouped by nothing, assignee, type or both (`gmask` 1 assignee, 2 type), as
  `analytics_response_cube`: `ticket_sla` rows (`n`), met (`n_met`: stopped by the due time or
  with none), stopped after the due time (`n_late`) and still running with a due time
  (`n_running_due`). Only the last depends on the instant of reading: a reader subtracts the
  running rows due at or after it (few, read along `idx_ticket_sla_overdue`) to get the
  running breaches, so met / breached / pending are exact at any instant.
  Statement triggers on `ticket_sla` apply the old rows with -1 and the new rows with +1
  (pairs that did not change are skipped: a recompute rewrites every row), so whatever keeps
  `ticket_sla` exact keeps the cube exact; a TRUNCATE empties it. Days are bucketed in
  `analytics_response_state.timezone`; when that zone is rebuilt the cube is rebuilt in it.
- `idx_ticket_sla_late` (stopped after the due time, by `done_at - due_at` descending) and
  `idx_ticket_sla_overdue` (running, by due time): the breaches list, worst first, merges
  the top rows of both instead of sorting every breached row.
- Week rows (grain 'w': Monday-to-Sunday weeks cut at month boundaries, as the main cube's)
  in `analytics_response_cube` and `analytics_frt_hist`: 0008's trigger functions and
  rebuild are replaced with ones that add them, so a date range's edges read at most six
  day rows each.
- First-response bins: `analytics_frt_bin` had bins of up to an hour where most first
  replies fall, up to 38,000 facts a bin at 1M generated tickets, and an exact percentile
  reads up to half a bin. The new edges are one minute apart below 8 hours, five minutes to
  48 hours, then as before (every display edge is still an edge; ~3,000 facts a bin at most
  at 1M); the facts' bin column, its indexes and both rollups are rebuilt.

Revision ID: 0019_sla_rollups_fine_bins
Revises: 0017_merge
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_sla_rollups_fine_bins"
down_revision: str | None = "0017_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"

_TABLE = f"""
CREATE TABLE analytics_sla_cube (
    gmask smallint NOT NULL,
    grain text NOT NULL,
    bucket date,
    assigned_to integer,
    ticket_type_id integer,
    priority varchar(20),
    target text NOT NULL,
    n bigint NOT NULL,
    n_met bigint NOT NULL,
    n_late bigint NOT NULL,
    n_running_due bigint NOT NULL
);
CREATE UNIQUE INDEX analytics_sla_cube_key ON analytics_sla_cube
  (gmask, grain, bucket, assigned_to, ticket_type_id, priority, target) NULLS NOT DISTINCT;
REVOKE ALL ON analytics_sla_cube FROM PUBLIC;
GRANT SELECT ON analytics_sla_cube TO {INTERNAL};
ALTER TABLE analytics_sla_cube ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_sla_cube FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_sla_cube_internal_select ON analytics_sla_cube AS PERMISSIVE
  FOR SELECT TO {INTERNAL} USING ((SELECT sa_session_is_internal()));

CREATE INDEX idx_ticket_sla_late ON ticket_sla (target, (done_at - due_at) DESC, ticket_id)
  INCLUDE (created_at, assigned_to, ticket_type_id, priority, client_id)
  WHERE done_at > due_at;
CREATE INDEX idx_ticket_sla_overdue ON ticket_sla (target, due_at, ticket_id)
  INCLUDE (created_at, assigned_to, ticket_type_id, priority, client_id)
  WHERE running AND done_at IS NULL;
"""

KEY = "gmask, grain, bucket, assigned_to, ticket_type_id, priority, target"
_COLUMNS = "created_at, assigned_to, ticket_type_id, priority, target, due_at, done_at, running"

# Week segments: Monday-to-Sunday weeks cut at month boundaries, as the main cube's grain 'w'.
_SIGNED = """
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM ({rows}) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
"""


def _grain(weeks: bool = True) -> str:
    week = ("WHEN GROUPING(cweek) = 0 THEN 'w'", "WHEN GROUPING(cweek) = 0 THEN cweek")
    if not weeks:
        week = ("", "")
    return f"""((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' {week[0]}
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday {week[1]}
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       assigned_to, ticket_type_id, priority"""


_KEYS = f"{_grain()}, target"


def _sets(weeks: bool = True) -> str:
    parts = []
    for grain in ("cday", "cweek", "cmonth", None) if weeks else ("cday", "cmonth", None):
        for extra in ((), ("assigned_to",), ("ticket_type_id",), ("assigned_to", "ticket_type_id")):
            columns = ([grain] if grain else []) + list(extra)
            parts.append(f"({', '.join(columns)})")
    return ", ".join(parts)


def apply(rows: str) -> str:
    """Add `rows` (`ticket_sla` columns plus a sign `sg`) to the cube: one upsert."""
    return f"""
INSERT INTO analytics_sla_cube AS c ({KEY}, n, n_met, n_late, n_running_due)
SELECT {_KEYS},
       sum(sg),
       coalesce(sum(sg) FILTER (WHERE done_at IS NOT NULL
                                  AND (due_at IS NULL OR done_at <= due_at)), 0),
       coalesce(sum(sg) FILTER (WHERE done_at > due_at), 0),
       coalesce(sum(sg) FILTER (WHERE done_at IS NULL AND running AND due_at IS NOT NULL), 0)
FROM ({_SIGNED.format(rows=rows)}) r
GROUP BY priority, target, GROUPING SETS ({_sets()})
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT ({KEY}) DO UPDATE SET
  n = c.n + excluded.n, n_met = c.n_met + excluded.n_met, n_late = c.n_late + excluded.n_late,
  n_running_due = c.n_running_due + excluded.n_running_due
"""


def _from(table: str, sign: int) -> str:
    return f"SELECT {_COLUMNS}, {sign} AS sg FROM {table}"


_SAME = (
    "a.ticket_id = b.ticket_id AND a.target = b.target AND "
    "(a.created_at, a.assigned_to, a.ticket_type_id, a.priority, a.due_at, a.done_at, a.running)"
    " IS NOT DISTINCT FROM "
    "(b.created_at, b.assigned_to, b.ticket_type_id, b.priority, b.due_at, b.done_at, b.running)"
)


def _changed(table: str, other: str, sign: int) -> str:
    """The rows of `table` without an unchanged twin in `other`, signed."""
    return (
        f"SELECT {', '.join(f'a.{c}' for c in _COLUMNS.split(', '))}, {sign} AS sg "
        f"FROM {table} a WHERE NOT EXISTS (SELECT 1 FROM {other} b WHERE {_SAME})"
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


TRIGGERS = (
    ("insert", "REFERENCING NEW TABLE AS new_rows", apply(_from("new_rows", 1))),
    (
        "update",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        apply(
            f"{_changed('old_rows', 'new_rows', -1)} UNION ALL "
            f"{_changed('new_rows', 'old_rows', 1)}"
        ),
    ),
    ("delete", "REFERENCING OLD TABLE AS old_rows", apply(_from("old_rows", -1))),
    ("truncate", "", "TRUNCATE analytics_sla_cube"),
)

REBUILD = f"""
CREATE FUNCTION analytics_sla_rebuild() RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
  TRUNCATE analytics_sla_cube;
  {apply(_from("ticket_sla", 1))};
  ANALYZE analytics_sla_cube;
END $fn$
"""

# analytics_response_rebuild() sets the zone first: the cube follows in the same transaction.
FOLLOW = """
CREATE FUNCTION analytics_sla_follow_zone() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
  PERFORM analytics_sla_rebuild();
  RETURN NULL;
END $fn$
"""


# The responsiveness rollups of 0008 with week rows too (their trigger functions replaced).
RESPONSE_KEY = "gmask, grain, bucket, assigned_to, ticket_type_id, priority"


def response_apply(rows: str, weeks: bool = True) -> str:
    """0008's upsert of `rows` (facts columns plus a sign `sg`) into the response cube and the
    FRT histogram, with grain 'w' (`weeks`) or as 0008 had it."""
    signed = _SIGNED.format(rows=rows)
    return f"""
INSERT INTO analytics_response_cube AS c ({RESPONSE_KEY}, n_frt, frt_sum, n_awaiting, n_done,
    n_one_touch)
SELECT {_grain(weeks)},
       coalesce(sum(sg) FILTER (WHERE frt_hours IS NOT NULL), 0),
       coalesce(sum(sg * frt_hours), 0),
       coalesce(sum(sg) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed') AND replies = 1), 0)
FROM ({signed}) r
GROUP BY priority, GROUPING SETS ({_sets(weeks)})
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT ({RESPONSE_KEY}) DO UPDATE SET
  n_frt = c.n_frt + excluded.n_frt, frt_sum = c.frt_sum + excluded.frt_sum,
  n_awaiting = c.n_awaiting + excluded.n_awaiting, n_done = c.n_done + excluded.n_done,
  n_one_touch = c.n_one_touch + excluded.n_one_touch;
INSERT INTO analytics_frt_hist AS h ({RESPONSE_KEY}, bin, n)
SELECT {_grain(weeks)}, frt_bin, sum(sg)
FROM ({signed}) r
WHERE frt_hours IS NOT NULL
GROUP BY priority, frt_bin, GROUPING SETS ({_sets(weeks)})
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT ({RESPONSE_KEY}, bin) DO UPDATE SET n = h.n + excluded.n
"""


_FACT_COLUMNS = (
    "created_at, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies"
)


def _facts(table: str, sign: int) -> str:
    return f"SELECT {_FACT_COLUMNS}, {sign} AS sg FROM {table}"


def _response_functions(weeks: bool) -> list[str]:
    """CREATE OR REPLACE of 0008's trigger functions and rebuild, with or without weeks."""
    bodies = (
        ("insert", response_apply(_facts("new_rows", 1), weeks)),
        (
            "update",
            response_apply(f"{_facts('old_rows', -1)} UNION ALL {_facts('new_rows', 1)}", weeks),
        ),
        ("delete", response_apply(_facts("old_rows", -1), weeks)),
    )
    out = [
        _function(f"analytics_response_{event}", body).replace("CREATE", "CREATE OR REPLACE", 1)
        for event, body in bodies
    ]
    out.append(f"""
CREATE OR REPLACE FUNCTION analytics_response_rebuild(p_timezone text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
  PERFORM now() AT TIME ZONE p_timezone;
  UPDATE analytics_response_state SET timezone = p_timezone;
  TRUNCATE analytics_response_cube, analytics_frt_hist;
  {response_apply(_facts("ticket_response_facts", 1), weeks)};
  ANALYZE analytics_response_cube;
  ANALYZE analytics_frt_hist;
END $fn$
""")
    return out


def thresholds(fine: bool) -> list[str]:
    """Bin lower edges in hours, as SQL literals (exact where a display edge falls)."""
    if fine:
        # Written as the doubles Python computes (shortest round-trip text), so the chart's
        # copy of the edges (`responsiveness_charts.thresholds`) is exactly these.
        edges = [repr(k / 60) for k in range(8 * 60)]  # 1 minute below 8 h
        edges += [repr(k / 12) for k in range(8 * 12, 48 * 12)]  # 5 minutes to 48 h
    else:
        edges = [f"{k}/12.0" for k in range(12)]  # 5 minutes below 1 h
        edges += [f"{k}/4.0" for k in range(4, 32)]  # 15 minutes to 8 h
        edges += [str(h) for h in range(8, 48)]  # 1 h to 48 h
    edges += [str(h) for h in range(48, 720, 6)]  # 6 h to 30 days
    edges += [str(h) for h in range(720, 24 * 366, 24)]  # days to a year
    return edges


def _bin_function(fine: bool) -> str:
    return f"""
CREATE FUNCTION analytics_frt_bin(hours float8) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT width_bucket(hours, ARRAY[{", ".join(thresholds(fine))}]::float8[])
$$
"""


_FACTS_INDEXES = """
CREATE INDEX idx_response_facts_frt ON ticket_response_facts (frt_bin, frt_hours)
  INCLUDE (created_at, priority, assigned_to, ticket_type_id) WHERE frt_hours IS NOT NULL;
CREATE INDEX idx_response_facts_priority_frt ON ticket_response_facts
  (priority, frt_bin, frt_hours) INCLUDE (created_at, assigned_to, ticket_type_id)
  WHERE frt_hours IS NOT NULL;
CREATE INDEX idx_response_facts_member_frt ON ticket_response_facts
  (assigned_to, frt_bin, frt_hours) INCLUDE (created_at, priority, ticket_type_id)
  WHERE frt_hours IS NOT NULL;
"""


def _rebin(fine: bool) -> None:
    """Swap the bin function under the facts' generated column (dropped and added again, with
    its indexes) and rebuild the histogram from the facts."""
    op.execute("ALTER TABLE ticket_response_facts DROP COLUMN frt_bin")
    op.execute("DROP FUNCTION analytics_frt_bin(float8)")
    op.execute(_bin_function(fine))
    op.execute(
        "ALTER TABLE ticket_response_facts ADD COLUMN frt_bin integer "
        "GENERATED ALWAYS AS (analytics_frt_bin(frt_hours)) STORED"
    )
    op.execute(_FACTS_INDEXES)
    op.execute("SELECT analytics_response_rebuild(timezone) FROM analytics_response_state")


def upgrade() -> None:
    op.execute(_TABLE)
    for event, referencing, body in TRIGGERS:
        name = f"analytics_sla_{event}"
        op.execute(_function(name, body))
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON ticket_sla "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
    op.execute(REBUILD)
    op.execute(FOLLOW)
    op.execute(
        "CREATE TRIGGER analytics_sla_follow_zone AFTER UPDATE ON analytics_response_state "
        "FOR EACH ROW EXECUTE FUNCTION analytics_sla_follow_zone()"
    )
    for function in ("analytics_sla_rebuild()", "analytics_sla_follow_zone()"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    for sql in _response_functions(weeks=True):
        op.execute(sql)
    # Rebuilding the response rollups in their zone rebuilds the SLA cube too (the trigger).
    _rebin(fine=True)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS analytics_sla_follow_zone ON analytics_response_state")
    for event, _, _ in TRIGGERS:
        name = f"analytics_sla_{event}"
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON ticket_sla")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DROP FUNCTION IF EXISTS analytics_sla_follow_zone()")
    op.execute("DROP FUNCTION IF EXISTS analytics_sla_rebuild()")
    op.execute("DROP TABLE IF EXISTS analytics_sla_cube")
    op.execute("DROP INDEX IF EXISTS idx_ticket_sla_late")
    op.execute("DROP INDEX IF EXISTS idx_ticket_sla_overdue")
    for sql in _response_functions(weeks=False):
        op.execute(sql)
    _rebin(fine=False)
