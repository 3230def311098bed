"""The SLA cube by client and assignee, and by client and type: rows grouped by client and
assignee (`gmask` 5) and by client and type (`gmask` 6) per week segment, month and all time,
priority and target, beside the rows of 0019 and 0023. No day rows: a client with an
assignee per day would be about a row per ticket (826,000 groups at 1M generated tickets);
weeks and months are 367,000 and 90,000 rows there. With them the breakdown by client, and
client and plan filters, under an assignee or type condition, read the cube for whole week
segments and months and count the `ticket_sla` rows of the other days (at most six at either
end of the filter's partial months) along two new indexes, which also serve an assignee and
a type condition together:

- `idx_ticket_sla_member_type` (assignee, type, creation), and
- `idx_ticket_sla_type` (type, creation),

both carrying the columns a count by state needs (index-only). The statement triggers'
functions on `ticket_sla` and `analytics_sla_rebuild()` are replaced by ones that add the new
grouping sets; the cube is rebuilt.

`idx_ticket_sla_late` (the breached list's late stream, 0019) is rebuilt with the due and
stop times included, so walking it in order reads the index only (it fetched every row its
filter dropped from the table).

Revision ID: 0028_sla_speed
Revises: 0026_response_client
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028_sla_speed"
down_revision: str | None = "0026_response_client"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SIGNED = """
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM ({rows}) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
"""

_GRAINS = ("cday", "cweek", "cmonth", None)
_EXTRAS = (
    (),
    ("assigned_to",),
    ("ticket_type_id",),
    ("assigned_to", "ticket_type_id"),
    ("client_id",),
)
# Client pairs: no day rows (about a row per ticket).
_PAIR_GRAINS = ("cweek", "cmonth", None)
_PAIRS = (("client_id", "assigned_to"), ("client_id", "ticket_type_id"))

KEY = "gmask, grain, bucket, client_id, assigned_to, ticket_type_id, priority, target"
_COLUMNS = (
    "created_at, client_id, assigned_to, ticket_type_id, priority, target, due_at, done_at, running"
)
_GMASK = (
    "(1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id))"
    " + 4 * (1 - GROUPING(client_id))"
)
_KEYS = f"""({_GMASK})::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       client_id, assigned_to, ticket_type_id, priority, target"""

_INDEXES = {
    "idx_ticket_sla_member_type": "(assigned_to, ticket_type_id, created_at)"
    " INCLUDE (target, client_id, priority, due_at, done_at, running)",
    "idx_ticket_sla_type": "(ticket_type_id, created_at)"
    " INCLUDE (target, client_id, priority, assigned_to, due_at, done_at, running)",
}


def _sets(pairs: bool) -> str:
    sets = [(grain, extra) for grain in _GRAINS for extra in _EXTRAS]
    if pairs:
        sets += [(grain, pair) for grain in _PAIR_GRAINS for pair in _PAIRS]
    parts = []
    for grain, extra in sets:
        columns = ([grain] if grain else []) + list(extra)
        parts.append(f"({', '.join(columns)})")
    return ", ".join(parts)


def _apply(rows: str, pairs: bool) -> str:
    """Add `rows` (`ticket_sla` columns plus a sign `sg`) to the cube: one upsert."""
    order = ", ".join(str(i) for i in range(1, len(KEY.split(", ")) + 1))
    return f"""
INSERT INTO analytics_sla_cube AS c ({KEY}, n, n_met, n_late, n_running_due)
SELECT {_KEYS},
       sum(sg),
       coalesce(sum(sg) FILTER (WHERE done_at IS NOT NULL
                                  AND (due_at IS NULL OR done_at <= due_at)), 0),
       coalesce(sum(sg) FILTER (WHERE done_at > due_at), 0),
       coalesce(sum(sg) FILTER (WHERE done_at IS NULL AND running AND due_at IS NOT NULL), 0)
FROM ({_SIGNED.format(rows=rows)}) r
GROUP BY priority, target, GROUPING SETS ({_sets(pairs)})
ORDER BY {order}
ON CONFLICT ({KEY}) DO UPDATE SET
  n = c.n + excluded.n, n_met = c.n_met + excluded.n_met, n_late = c.n_late + excluded.n_late,
  n_running_due = c.n_running_due + excluded.n_running_due
"""


def _from(table: str, sign: int) -> str:
    return f"SELECT {_COLUMNS}, {sign} AS sg FROM {table}"


def _changed(table: str, other: str, sign: int) -> str:
    """The rows of `table` without an unchanged twin in `other`, signed."""
    compared = [c for c in _COLUMNS.split(", ") if c != "target"]
    a = ", ".join(f"a.{c}" for c in compared)
    b = ", ".join(f"b.{c}" for c in compared)
    return (
        f"SELECT {', '.join(f'a.{c}' for c in _COLUMNS.split(', '))}, {sign} AS sg "
        f"FROM {table} a WHERE NOT EXISTS (SELECT 1 FROM {other} b "
        f"WHERE a.ticket_id = b.ticket_id AND a.target = b.target "
        f"AND ({a}) IS NOT DISTINCT FROM ({b}))"
    )


def _function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $fn$
BEGIN
  {body};
  RETURN NULL;
END $fn$
"""


def _functions(pairs: bool) -> list[str]:
    bodies = {
        "insert": _apply(_from("new_rows", 1), pairs),
        "update": _apply(
            f"{_changed('old_rows', 'new_rows', -1)} UNION ALL "
            f"{_changed('new_rows', 'old_rows', 1)}",
            pairs,
        ),
        "delete": _apply(_from("old_rows", -1), pairs),
    }
    out = [_function(f"analytics_sla_{event}", body) for event, body in bodies.items()]
    out.append(f"""
CREATE OR REPLACE FUNCTION analytics_sla_rebuild() RETURNS void LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
  TRUNCATE analytics_sla_cube;
  {_apply(_from("ticket_sla", 1), pairs)};
  ANALYZE analytics_sla_cube;
END $fn$
""")
    return out


# The breached list's late stream (0019) with the due and stop times: its walk reads the
# index only, instead of fetching every row its filter then drops.
_LATE = (
    "CREATE INDEX idx_ticket_sla_late ON ticket_sla (target, (done_at - due_at) DESC, ticket_id)"
    " INCLUDE (created_at, assigned_to, ticket_type_id, priority, client_id{more})"
    " WHERE done_at > due_at"
)


def upgrade() -> None:
    for sql in _functions(pairs=True):
        op.execute(sql)
    for name, columns in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON ticket_sla {columns}")
    op.execute("DROP INDEX idx_ticket_sla_late")
    op.execute(_LATE.format(more=", due_at, done_at"))
    op.execute("SELECT analytics_sla_rebuild()")


def downgrade() -> None:
    op.execute("DROP INDEX idx_ticket_sla_late")
    op.execute(_LATE.format(more=""))
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")
    for sql in _functions(pairs=False):
        op.execute(sql)
    op.execute("DELETE FROM analytics_sla_cube WHERE gmask IN (5, 6)")
