"""The responsiveness rollups get the client: `analytics_response_cube` and
`analytics_frt_hist` gain rows grouped by client (`gmask` 4, `client_id` set) per creation
day, week segment, month and all time and priority,
beside the rows of 0019 (`gmask` 0-3, `client_id` NULL), as the SLA cube got in 0023. Client
and plan filters (a plan is a set of clients) with no assignee or type condition are then
read from the rollups instead of the facts; a client grouped with an assignee or a type would
be about one row per ticket.

The trigger functions on `ticket_response_facts` and `analytics_response_rebuild` are
replaced by ones that add the client sets (old rows -1, new rows +1, so a ticket whose
client changes moves between client rows). `analytics_frt_hist_any_priority` (0022) sums the
histogram's rows over priorities keyed without a client: its trigger functions now skip the
client rows, which it does not group by. The unique keys take the client last (0019's order
before it, which the readers of `gmask` 0-3 rely on) and a partial index per table,
`(grain, bucket, client_id) WHERE gmask = 4`, serves the client readers. Both rollups are
rebuilt.

Revision ID: 0026_response_client
Revises: 0025_merge
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026_response_client"
down_revision: str | None = "0025_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENT_MASK = 4

_SIGNED = """
SELECT s.*, (s.created_at AT TIME ZONE z.tz)::date AS cday,
       greatest(date_trunc('week', s.created_at AT TIME ZONE z.tz),
                date_trunc('month', s.created_at AT TIME ZONE z.tz))::date AS cweek,
       date_trunc('month', s.created_at AT TIME ZONE z.tz)::date AS cmonth
FROM ({rows}) s CROSS JOIN (SELECT timezone AS tz FROM analytics_response_state) z
"""

_GRAINS = ("cday", "cweek", "cmonth", None)
_EXTRAS = ((), ("assigned_to",), ("ticket_type_id",), ("assigned_to", "ticket_type_id"))


def _key(client: bool) -> str:
    middle = "client_id, " if client else ""
    return f"gmask, grain, bucket, {middle}assigned_to, ticket_type_id, priority"


def _keys(client: bool) -> str:
    gmask = "(1 - GROUPING(assigned_to)) + 2 * (1 - GROUPING(ticket_type_id))"
    if client:
        gmask += f" + {CLIENT_MASK} * (1 - GROUPING(client_id))"
    middle = "client_id, " if client else ""
    return f"""({gmask})::smallint,
       CASE WHEN GROUPING(cday) = 0 THEN 'd' WHEN GROUPING(cweek) = 0 THEN 'w'
            WHEN GROUPING(cmonth) = 0 THEN 'm' ELSE 'a' END,
       CASE WHEN GROUPING(cday) = 0 THEN cday WHEN GROUPING(cweek) = 0 THEN cweek
            WHEN GROUPING(cmonth) = 0 THEN cmonth END,
       {middle}assigned_to, ticket_type_id, priority"""


def _sets(client: bool) -> str:
    extras: tuple[tuple[str, ...], ...] = _EXTRAS + ((("client_id",),) if client else ())
    parts = []
    for grain in _GRAINS:
        for extra in extras:
            columns = ([grain] if grain else []) + list(extra)
            parts.append(f"({', '.join(columns)})")
    return ", ".join(parts)


def _apply(rows: str, client: bool) -> str:
    """0019's upsert of `rows` (facts columns plus a sign `sg`) into the response cube and
    the FRT histogram, with the client sets (`client`) or as 0019 had it."""
    signed = _SIGNED.format(rows=rows)
    key = _key(client)
    width = len(key.split(", "))
    order = ", ".join(str(i) for i in range(1, width + 1))
    order_bin = ", ".join(str(i) for i in range(1, width + 2))
    return f"""
INSERT INTO analytics_response_cube AS c ({key}, n_frt, frt_sum, n_awaiting, n_done,
    n_one_touch)
SELECT {_keys(client)},
       coalesce(sum(sg) FILTER (WHERE frt_hours IS NOT NULL), 0),
       coalesce(sum(sg * frt_hours), 0),
       coalesce(sum(sg) FILTER (WHERE replies = 0 AND status IN ('open', 'in_progress')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed')), 0),
       coalesce(sum(sg) FILTER (WHERE status IN ('resolved', 'closed') AND replies = 1), 0)
FROM ({signed}) r
GROUP BY priority, GROUPING SETS ({_sets(client)})
ORDER BY {order}
ON CONFLICT ({key}) DO UPDATE SET
  n_frt = c.n_frt + excluded.n_frt, frt_sum = c.frt_sum + excluded.frt_sum,
  n_awaiting = c.n_awaiting + excluded.n_awaiting, n_done = c.n_done + excluded.n_done,
  n_one_touch = c.n_one_touch + excluded.n_one_touch;
INSERT INTO analytics_frt_hist AS h ({key}, bin, n)
SELECT {_keys(client)}, frt_bin, sum(sg)
FROM ({signed}) r
WHERE frt_hours IS NOT NULL
GROUP BY priority, frt_bin, GROUPING SETS ({_sets(client)})
ORDER BY {order_bin}
ON CONFLICT ({key}, bin) DO UPDATE SET n = h.n + excluded.n
"""


def _facts(table: str, sign: int, client: bool) -> str:
    middle = "client_id, " if client else ""
    return (
        f"SELECT created_at, {middle}assigned_to, ticket_type_id, priority, status, frt_hours,"
        f" frt_bin, replies, {sign} AS sg FROM {table}"
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


def _response_functions(client: bool) -> list[str]:
    bodies = (
        ("insert", _apply(_facts("new_rows", 1, client), client)),
        (
            "update",
            _apply(
                f"{_facts('old_rows', -1, client)} UNION ALL {_facts('new_rows', 1, client)}",
                client,
            ),
        ),
        ("delete", _apply(_facts("old_rows", -1, client), client)),
    )
    out = [_function(f"analytics_response_{event}", body) for event, body in bodies]
    out.append(f"""
CREATE OR REPLACE FUNCTION analytics_response_rebuild(p_timezone text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
  PERFORM now() AT TIME ZONE p_timezone;
  UPDATE analytics_response_state SET timezone = p_timezone;
  TRUNCATE analytics_response_cube, analytics_frt_hist;
  {_apply(_facts("ticket_response_facts", 1, client), client)};
  ANALYZE analytics_response_cube;
  ANALYZE analytics_frt_hist;
END $fn$
""")
    return out


# 0022's histogram summed over priorities, keyed without a client: the client rows stay out.
_ANY = "analytics_frt_hist_any_priority"
_ANY_KEY = "gmask, grain, bucket, assigned_to, ticket_type_id"


def _any_apply(rows: str) -> str:
    return f"""
INSERT INTO {_ANY} AS a ({_ANY_KEY}, bin, n)
SELECT {_ANY_KEY}, bin, sum(sn)
FROM ({rows}) r
GROUP BY {_ANY_KEY}, bin
ORDER BY {_ANY_KEY}, bin
ON CONFLICT ({_ANY_KEY}, bin) DO UPDATE SET n = a.n + excluded.n
"""


def _any_from(table: str, sign: str, client: bool) -> str:
    skip = f" WHERE gmask < {CLIENT_MASK}" if client else ""
    return f"SELECT {_ANY_KEY}, bin, {sign}n AS sn FROM {table}{skip}"


def _any_functions(client: bool) -> list[str]:
    bodies = (
        ("insert", _any_apply(_any_from("new_rows", "", client))),
        (
            "update",
            _any_apply(
                f"{_any_from('old_rows', '-', client)} UNION ALL "
                f"{_any_from('new_rows', '', client)}"
            ),
        ),
        ("delete", _any_apply(_any_from("old_rows", "-", client))),
    )
    return [_function(f"analytics_frt_any_priority_{event}", body) for event, body in bodies]


def _indexes(client: bool) -> list[str]:
    # The client last: the readers of `gmask` 0-3 fix the assignee and type after the bucket,
    # and the index keeps those columns next to it (the client is NULL on their rows).
    key = "gmask, grain, bucket, assigned_to, ticket_type_id, priority" + (
        ", client_id" if client else ""
    )
    out = [
        "CREATE UNIQUE INDEX analytics_response_cube_key ON analytics_response_cube "
        f"({key}) NULLS NOT DISTINCT",
        f"CREATE UNIQUE INDEX analytics_frt_hist_key ON analytics_frt_hist ({key}, bin) "
        "NULLS NOT DISTINCT",
    ]
    if client:
        # The client readers fix the bucket range and a list of clients: one range each.
        for table in ("analytics_response_cube", "analytics_frt_hist"):
            out.append(
                f"CREATE INDEX {table}_client ON {table} (grain, bucket, client_id) "
                f"WHERE gmask = {CLIENT_MASK}"
            )
    return out


def _switch(client: bool) -> None:
    op.execute("DROP INDEX analytics_response_cube_key")
    op.execute("DROP INDEX analytics_frt_hist_key")
    if client:
        op.execute("ALTER TABLE analytics_response_cube ADD COLUMN client_id integer")
        op.execute("ALTER TABLE analytics_frt_hist ADD COLUMN client_id integer")
    else:
        op.execute("ALTER TABLE analytics_response_cube DROP COLUMN client_id")
        op.execute("ALTER TABLE analytics_frt_hist DROP COLUMN client_id")
    for sql in _indexes(client):
        op.execute(sql)
    for sql in _any_functions(client) + _response_functions(client):
        op.execute(sql)
    # Rebuilds both rollups (and, through their triggers, the priority-summed histogram and
    # the SLA cube that follows the zone).
    op.execute("SELECT analytics_response_rebuild(timezone) FROM analytics_response_state")


def upgrade() -> None:
    _switch(client=True)


def downgrade() -> None:
    _switch(client=False)
