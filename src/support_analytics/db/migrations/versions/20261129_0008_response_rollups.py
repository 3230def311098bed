"""Responsiveness rollups: the per-ticket response facts of 0007 folded into sums and a
first-response-time histogram, so the responsiveness numbers read a few hundred rows at 1M
tickets instead of the whole facts table.

- `analytics_response_cube`: per creation day / month / all time (grain 'd', 'm', 'a'),
  priority, and grouped by nothing, assignee, type or both (`gmask` 1 assignee, 2 type):
  tickets with a first reply, the sum of their FRT hours, awaiting first reply, resolved or
  closed, one-touch.
- `analytics_frt_hist`: the same keys plus `bin`, counting tickets with a first reply per FRT
  bin. `analytics_frt_bin(hours)` is `width_bucket` over fixed thresholds (5 minutes below 1 h,
  15 minutes to 8 h, 1 h to 48 h, 6 h to 30 days, then days), so every display edge (15 and
  30 minutes, 1, 2, 4, 8, 24, 48 hours, 7 days) is a bin edge compared exactly.
- `ticket_response_facts.frt_bin` (stored, generated) and three indexes ordered by
  (bin, FRT), overall, by priority and by assignee: an exact percentile walks the cumulated
  bin counts, then reads the one row at its offset inside its bin.

Statement triggers on `ticket_response_facts` (which 0007's triggers keep exact) apply the
old rows with -1 and the new rows with +1 in one upsert per table, so whatever keeps the facts
exact keeps these exact. Days are bucketed in `analytics_response_state.timezone`; when
`analytics_rebuild` moves the main rollups to another zone, a trigger on
`analytics_rollup_state` rebuilds these in that zone too. Readers use them only when their
zone is the request's zone.

Revision ID: 0008_response_rollups
Revises: 0007_ticket_events
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_response_rollups"
down_revision: str | None = "0007_ticket_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"

ROLLUP_TABLES = ("analytics_response_cube", "analytics_frt_hist", "analytics_response_state")


def thresholds() -> list[str]:
    """Bin lower edges in hours, as SQL literals (exact where a display edge falls)."""
    edges: list[str] = [f"{k}/12.0" for k in range(12)]  # 5 minutes below 1 h
    edges += [f"{k}/4.0" for k in range(4, 32)]  # 15 minutes to 8 h
    edges += [str(h) for h in range(8, 48)]  # 1 h to 48 h
    edges += [str(h) for h in range(48, 720, 6)]  # 6 h to 30 days
    edges += [str(h) for h in range(720, 24 * 366, 24)]  # days to a year
    return edges


_BIN = f"""
CREATE FUNCTION analytics_frt_bin(hours float8) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT width_bucket(hours, ARRAY[{", ".join(thresholds())}]::float8[])
$$;
"""

_TABLES = """
CREATE TABLE analytics_response_state (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    timezone text NOT NULL
);
INSERT INTO analytics_response_state (timezone)
SELECT coalesce((SELECT timezone FROM analytics_rollup_state), 'UTC');

CREATE TABLE analytics_response_cube (
    gmask smallint NOT NULL,
    grain text NOT NULL,
    bucket date,
    assigned_to integer,
    ticket_type_id integer,
    priority varchar(20),
    n_frt bigint NOT NULL,
    frt_sum float8 NOT NULL,
    n_awaiting bigint NOT NULL,
    n_done bigint NOT NULL,
    n_one_touch bigint NOT NULL
);
CREATE UNIQUE INDEX analytics_response_cube_key ON analytics_response_cube
  (gmask, grain, bucket, assigned_to, ticket_type_id, priority) NULLS NOT DISTINCT;

CREATE TABLE analytics_frt_hist (
    gmask smallint NOT NULL,
    grain text NOT NULL,
    bucket date,
    assigned_to integer,
    ticket_type_id integer,
    priority varchar(20),
    bin integer NOT NULL,
    n bigint NOT NULL
);
CREATE UNIQUE INDEX analytics_frt_hist_key ON analytics_frt_hist
  (gmask, grain, bucket, assigned_to, ticket_type_id, priority, bin) NULLS NOT DISTINCT;

ALTER TABLE ticket_response_facts
  ADD COLUMN frt_bin integer GENERATED ALWAYS AS (analytics_frt_bin(frt_hours)) STORED;
CREATE INDEX idx_response_facts_frt ON ticket_response_facts (frt_bin, frt_hours)
  INCLUDE (created_at, priority, assigned_to, ticket_type_id) WHERE frt_hours IS NOT NULL;
CREATE INDEX idx_response_facts_priority_frt ON ticket_response_facts
  (priority, frt_bin, frt_hours) INCLUDE (created_at, assigned_to, ticket_type_id)
  WHERE frt_hours IS NOT NULL;
CREATE INDEX idx_response_facts_member_frt ON ticket_response_facts
  (assigned_to, frt_bin, frt_hours) INCLUDE (created_at, priority, ticket_type_id)
  WHERE frt_hours IS NOT NULL;
"""

CUBE_KEY = "gmask, grain, bucket, assigned_to, ticket_type_id, priority"
_SIGNED = """
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM ({rows}) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
"""

_KEYS = """((1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id)))::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       assigned_to, ticket_type_id, priority"""


def _sets() -> str:
    parts = []
    for grain in ("cday", "cmonth", None):
        for extra in ((), ("assigned_to",), ("ticket_type_id",), ("assigned_to", "ticket_type_id")):
            columns = ([grain] if grain else []) + list(extra)
            parts.append(f"({', '.join(columns)})")
    return ", ".join(parts)


def apply(rows: str) -> str:
    """Add `rows` (facts columns plus a sign `s`) to both rollups: one upsert each."""
    signed = _SIGNED.format(rows=rows)
    return f"""
INSERT INTO analytics_response_cube AS c ({CUBE_KEY}, n_frt, frt_sum, n_awaiting, n_done,
    n_one_touch)
SELECT {_KEYS},
       coalesce(sum(sg) FILTER (WHERE frt_hours IS NOT NULL), 0),
       coalesce(sum(sg * frt_hours), 0),
       coalesce(sum(sg) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed') AND replies = 1), 0)
FROM ({signed}) r
GROUP BY priority, GROUPING SETS ({_sets()})
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT ({CUBE_KEY}) DO UPDATE SET
  n_frt = c.n_frt + excluded.n_frt, frt_sum = c.frt_sum + excluded.frt_sum,
  n_awaiting = c.n_awaiting + excluded.n_awaiting, n_done = c.n_done + excluded.n_done,
  n_one_touch = c.n_one_touch + excluded.n_one_touch;
INSERT INTO analytics_frt_hist AS h ({CUBE_KEY}, bin, n)
SELECT {_KEYS}, frt_bin, sum(sg)
FROM ({signed}) r
WHERE frt_hours IS NOT NULL
GROUP BY priority, frt_bin, GROUPING SETS ({_sets()})
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT ({CUBE_KEY}, bin) DO UPDATE SET n = h.n + excluded.n
"""


_COLUMNS = "created_at, assigned_to, ticket_type_id, priority, status, frt_hours, frt_bin, replies"


def _from(table: str, sign: int) -> str:
    return f"SELECT {_COLUMNS}, {sign} AS sg FROM {table}"


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
        apply(f"{_from('old_rows', -1)} UNION ALL {_from('new_rows', 1)}"),
    ),
    ("delete", "REFERENCING OLD TABLE AS old_rows", apply(_from("old_rows", -1))),
    ("truncate", "", "TRUNCATE analytics_response_cube, analytics_frt_hist"),
)

REBUILD = f"""
CREATE FUNCTION analytics_response_rebuild(p_timezone text) RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
  PERFORM now() AT TIME ZONE p_timezone;
  UPDATE analytics_response_state SET timezone = p_timezone;
  TRUNCATE analytics_response_cube, analytics_frt_hist;
  {apply(_from("ticket_response_facts", 1))};
  ANALYZE analytics_response_cube;
  ANALYZE analytics_frt_hist;
END $fn$
"""

FOLLOW = """
CREATE FUNCTION analytics_response_follow_zone() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
  IF NEW.timezone IS DISTINCT FROM (SELECT timezone FROM analytics_response_state) THEN
    PERFORM analytics_response_rebuild(NEW.timezone);
  END IF;
  RETURN NULL;
END $fn$
"""

# Same format as 0006_hardening.POLICIES: only a live internal session reads the rollups.
POLICIES: tuple[tuple[str, str, str, str, str | None, str | None], ...] = tuple(
    (
        f"{table}_internal_select",
        table,
        "SELECT",
        INTERNAL,
        "(SELECT sa_session_is_internal())",
        None,
    )
    for table in ROLLUP_TABLES
)


def upgrade() -> None:
    op.execute(_BIN)
    op.execute(_TABLES)
    for event, referencing, body in TRIGGERS:
        name = f"analytics_response_{event}"
        op.execute(_function(name, body))
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON ticket_response_facts "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
    op.execute(REBUILD)
    op.execute(FOLLOW)
    op.execute(
        "CREATE TRIGGER analytics_response_follow_zone AFTER UPDATE ON analytics_rollup_state "
        "FOR EACH ROW EXECUTE FUNCTION analytics_response_follow_zone()"
    )
    for function in ("analytics_response_rebuild(text)", "analytics_response_follow_zone()"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute("SELECT analytics_response_rebuild(timezone) FROM analytics_response_state")
    for table in ROLLUP_TABLES:
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"GRANT SELECT ON {table} TO {INTERNAL}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for name, table, command, role, using, _ in POLICIES:
        op.execute(
            f"CREATE POLICY {name} ON {table} AS PERMISSIVE FOR {command} TO {role} USING ({using})"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS analytics_response_follow_zone ON analytics_rollup_state")
    for event, _, _ in TRIGGERS:
        name = f"analytics_response_{event}"
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON ticket_response_facts")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DROP FUNCTION IF EXISTS analytics_response_follow_zone()")
    op.execute("DROP FUNCTION IF EXISTS analytics_response_rebuild(text)")
    op.execute("DROP INDEX IF EXISTS idx_response_facts_frt")
    op.execute("DROP INDEX IF EXISTS idx_response_facts_priority_frt")
    op.execute("DROP INDEX IF EXISTS idx_response_facts_member_frt")
    op.execute("ALTER TABLE ticket_response_facts DROP COLUMN IF EXISTS frt_bin")
    op.execute(
        "DROP TABLE IF EXISTS analytics_response_cube, analytics_frt_hist, analytics_response_state"
    )
    op.execute("DROP FUNCTION IF EXISTS analytics_frt_bin(float8)")
