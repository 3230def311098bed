"""The tests' own answer to every analytics question: deliberately plain SQL over the raw
tables, written from the metric definitions, sharing no code with the product's filters or
queries. Filters are a plain description (`FilterSpec`) turned into SQL here, and into the
query string the product parses.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

import psycopg
from sqlalchemy.engine import make_url

from support_analytics.people import display_name

DateSpec = tuple[str, str | None, str | None]  # (op, first day or None, last day or None)
PRIORITIES = ("low", "medium", "high", "urgent")
PLANS = ("starter", "professional", "enterprise")


@dataclass(frozen=True)
class FilterSpec:
    date: DateSpec | None = None
    team_member: tuple[str, tuple[int | None, ...]] | None = None
    ticket_type: tuple[str, tuple[int, ...]] | None = None
    priority: tuple[str, tuple[str, ...]] | None = None
    client: tuple[str, tuple[int, ...]] | None = None
    plan: tuple[str, tuple[str, ...]] | None = None

    def params(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.date is not None:
            op, first, last = self.date
            value = {
                "on": f"{first}",
                "between": f"{first},{last}",
                "on_or_after": f"{first}",
                "on_or_before": f"{last}",
            }[op]
            out["date"] = f"{op}:{value}"
        if self.team_member is not None:
            op, members = self.team_member
            out["team_member"] = f"{op}:" + ",".join(
                "unassigned" if m is None else str(m) for m in members
            )
        if self.ticket_type is not None:
            op, types = self.ticket_type
            out["ticket_type"] = f"{op}:" + ",".join(str(t) for t in types)
        if self.priority is not None:
            op, priorities = self.priority
            out["priority"] = f"{op}:" + ",".join(priorities)
        if self.client is not None:
            op, client_ids = self.client
            out["client"] = f"{op}:" + ",".join(str(c) for c in client_ids)
        if self.plan is not None:
            op, plans = self.plan
            out["plan"] = f"{op}:" + ",".join(plans)
        return out

    def query_string(self) -> str:
        return urlencode(self.params())


@contextmanager
def connect(sqlalchemy_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    url = make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


def _membership(column: str, op: str, values: Sequence[object], params: list[object]) -> str:
    """A row matches `is`/`any_of` when its value is listed (NULL listed as None); `is_not`/
    `none_of` match exactly the rows the positive form would not."""
    concrete = [v for v in values if v is not None]
    params.append(concrete)
    listed = f"CASE WHEN {column} IS NULL THEN {'true' if None in values else 'false'} " + (
        f"ELSE {column} = ANY(%s) END"
    )
    return f"({listed})" if op in ("is", "any_of") else f"(NOT {listed})"


def where(
    spec: FilterSpec, tz: str, params: list[object], *, date_column: str = "t.created_at"
) -> str:
    parts = ["true"]
    if spec.date is not None:
        _, first, last = spec.date
        day = f"({date_column} AT TIME ZONE %s)::date"
        if first is not None:
            parts.append(f"{day} >= %s::date")
            params.extend([tz, first])
        if last is not None:
            parts.append(f"{day} <= %s::date")
            params.extend([tz, last])
    if spec.team_member is not None:
        parts.append(_membership("t.assigned_to", *spec.team_member, params))
    if spec.ticket_type is not None:
        parts.append(_membership("t.ticket_type_id", *spec.ticket_type, params))
    if spec.priority is not None:
        parts.append(_membership("t.priority", *spec.priority, params))
    if spec.client is not None:
        parts.append(_membership("t.client_id", *spec.client, params))
    if spec.plan is not None:
        plan = "(SELECT c.plan_type FROM clients c WHERE c.id = t.client_id)"
        parts.append(_membership(plan, *spec.plan, params))
    return " AND ".join(parts)


def admits(rule: tuple[str, tuple[object, ...]] | None, value: object) -> bool:
    if rule is None:
        return True
    op, values = rule
    return (value in values) == (op in ("is", "any_of"))


Conn = psycopg.Connection[tuple[object, ...]]


def _rows(conn: Conn, sql: str, params: list[object]) -> list[tuple[object, ...]]:
    return conn.execute(sql.encode(), params).fetchall()


def _num(value: object) -> float | None:
    return None if value is None else float(str(value))


HOURS = "(extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8"


def overview_cards(conn: Conn, spec: FilterSpec, tz: str) -> dict[str, object]:
    params: list[object] = []
    sql = f"""
        SELECT count(*),
               count(*) FILTER (WHERE t.status IN ('open', 'in_progress')),
               avg({HOURS}),
               avg(f.rating::numeric),
               100.0 * count(*) FILTER (WHERE f.rating >= 4) / nullif(count(f.rating), 0),
               count(f.rating)
        FROM tickets t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
        WHERE {where(spec, tz, params)}"""
    row = _rows(conn, sql, params)[0]
    return {
        "total_tickets": row[0],
        "open_tickets": row[1],
        "avg_resolution_hours": _num(row[2]),
        "csat_avg": _num(row[3]),
        "csat_satisfied_pct": _num(row[4]),
        "feedback_count": row[5],
    }


def _month_list(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def tickets_over_time(conn: Conn, spec: FilterSpec, tz: str) -> dict[str, object]:
    series: list[dict[str, int]] = []
    for column in ("t.created_at", "t.resolved_at"):
        params: list[object] = [tz]
        sql = f"""
            SELECT to_char({column} AT TIME ZONE %s, 'YYYY-MM') AS m, count(*)
            FROM tickets t
            WHERE {column} IS NOT NULL AND {where(spec, tz, params, date_column=column)}
            GROUP BY m"""
        series.append({str(m): int(str(n)) for m, n in _rows(conn, sql, params)})
    created, resolved = series
    months = sorted(set(created) | set(resolved))
    first = spec.date[1][:7] if spec.date and spec.date[1] else (months[0] if months else None)
    last = spec.date[2][:7] if spec.date and spec.date[2] else (months[-1] if months else None)
    first, last = first or last, last or first
    if first is None or last is None:
        return {"series": []}
    return {
        "series": [
            {"month": m, "created": created.get(m, 0), "resolved": resolved.get(m, 0)}
            for m in _month_list(first, last)
        ]
    }


def team_rows(conn: Conn, spec: FilterSpec, tz: str) -> list[dict[str, object]]:
    """Ordered by id; callers sort."""
    params: list[object] = []
    sql = f"""
        SELECT m.id, m.username, count(t.id),
               count(t.id) FILTER (WHERE t.status IN ('resolved', 'closed')),
               avg({HOURS}), avg(f.rating::numeric), m.status
        FROM team_members m
        LEFT JOIN tickets t ON t.assigned_to = m.id AND {where(spec, tz, params)}
        LEFT JOIN ticket_feedback f ON f.ticket_id = t.id
        GROUP BY m.id ORDER BY m.id"""
    return [
        {
            "team_member_id": r[0],
            "name": display_name(str(r[1])),
            "tickets_assigned": r[2],
            "tickets_resolved": r[3],
            "avg_resolution_hours": _num(r[4]),
            "avg_rating": _num(r[5]),
            "status": r[6],
        }
        for r in _rows(conn, sql, params)
        if admits(spec.team_member, r[0])
    ]


def top_performers(rows: list[dict[str, object]]) -> list[object]:
    counts = sorted(int(str(r["tickets_resolved"])) for r in rows)
    half = len(counts) // 2
    median: float = 0
    if counts:
        median = counts[half] if len(counts) % 2 else (counts[half - 1] + counts[half]) / 2
    ranked = sorted(
        (r for r in rows if int(str(r["tickets_resolved"])) > median),
        key=lambda r: (
            -int(str(r["tickets_resolved"])),
            -float(str(r["avg_rating"] or 0)),
            int(str(r["team_member_id"])),
        ),
    )
    return [r["team_member_id"] for r in ranked[:3]]


def ticket_types(conn: Conn, spec: FilterSpec, tz: str) -> dict[str, object]:
    params: list[object] = []
    sql = f"""
        SELECT y.id, y.type_name, count(t.id)
        FROM ticket_types y
        LEFT JOIN tickets t ON t.ticket_type_id = y.id AND {where(spec, tz, params)}
        GROUP BY y.id ORDER BY count(t.id) DESC, y.id"""
    rows = [r for r in _rows(conn, sql, params) if admits(spec.ticket_type, r[0])]
    total = sum(int(str(r[2])) for r in rows)
    return {
        "rows": [
            {
                "ticket_type_id": r[0],
                "name": r[1],
                "count": r[2],
                "pct": 100.0 * int(str(r[2])) / total if total else None,
            }
            for r in rows
        ]
    }


def priorities(conn: Conn, spec: FilterSpec, tz: str) -> dict[str, object]:
    params: list[object] = []
    sql = f"""
        SELECT t.priority,
               count(*) FILTER (WHERE t.status IN ('open', 'in_progress')),
               count(*) FILTER (WHERE t.status IN ('resolved', 'closed')),
               count(*)
        FROM tickets t WHERE {where(spec, tz, params)} GROUP BY t.priority"""
    found = {r[0]: r for r in _rows(conn, sql, params)}
    return {
        "rows": [
            {
                "priority": p,
                "open": found[p][1] if p in found else 0,
                "closed": found[p][2] if p in found else 0,
                "total": found[p][3] if p in found else 0,
            }
            for p in PRIORITIES
            if admits(spec.priority, p)
        ]
    }


def clients(
    conn: Conn, spec: FilterSpec, tz: str, *, q: str | None = None
) -> list[dict[str, object]]:
    """Every client (matching `q`), in the product's rank order."""
    params: list[object] = []
    ticket_filter = where(spec, tz, params)
    name_filter = "true"
    if q is not None:
        name_filter = "position(lower(%s) in lower(c.client_name)) > 0"
        params.append(q)
    sql = f"""
        SELECT c.id, c.client_name, c.plan_type, count(t.id),
               count(t.id) FILTER (WHERE t.status IN ('open', 'in_progress')),
               (SELECT coalesce(sum(p.amount_usd), 0.00) FROM payments p
                  WHERE p.client_id = c.id AND p.status IN ('completed', 'refunded')),
               max(t.created_at)
        FROM clients c LEFT JOIN tickets t ON t.client_id = c.id AND {ticket_filter}
        WHERE {name_filter}
        GROUP BY c.id"""
    rows = _rows(conn, sql, params)
    rows.sort(key=lambda r: (-int(str(r[3])), str(r[1]), int(str(r[0]))))
    return [
        {
            "client_id": r[0],
            "name": r[1],
            "plan_type": r[2],
            "total_tickets": r[3],
            "open_tickets": r[4],
            "total_spent": str(r[5]),
            "last_ticket_at": r[6],
        }
        for r in rows
    ]


def resolution_by_priority(conn: Conn, spec: FilterSpec, tz: str) -> list[dict[str, object]]:
    params: list[object] = []
    sql = f"""
        SELECT t.priority, count(*), min({HOURS}),
               percentile_cont(0.25) WITHIN GROUP (ORDER BY {HOURS}),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {HOURS}),
               percentile_cont(0.75) WITHIN GROUP (ORDER BY {HOURS}),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {HOURS}),
               max({HOURS}), avg({HOURS})
        FROM tickets t
        WHERE t.resolved_at IS NOT NULL AND t.created_at IS NOT NULL AND {where(spec, tz, params)}
        GROUP BY t.priority"""
    found = {r[0]: r for r in _rows(conn, sql, params)}
    names = ("min_hours", "q1_hours", "median_hours", "q3_hours", "p90_hours", "max_hours")
    out: list[dict[str, object]] = []
    for p in PRIORITIES:
        if not admits(spec.priority, p):
            continue
        row = found.get(p)
        entry: dict[str, object] = {"priority": p, "count": row[1] if row else 0}
        for i, name in enumerate(names, start=2):
            entry[name] = _num(row[i]) if row else None
        entry["avg_hours"] = _num(row[8]) if row else None
        out.append(entry)
    return out


OVERDUE = """
    FROM tickets t JOIN ticket_types y ON y.id = t.ticket_type_id
    CROSS JOIN LATERAL (SELECT CASE
        WHEN t.status IN ('open', 'in_progress')
          THEN (extract(epoch FROM %s::timestamptz - t.created_at) / 3600)::float8
        ELSE (extract(epoch FROM t.resolved_at - t.created_at) / 3600)::float8 END AS actual) a
    WHERE y.avg_resolution_hours IS NOT NULL AND a.actual > y.avg_resolution_hours
"""


def overdue(
    conn: Conn, spec: FilterSpec, tz: str, as_of: datetime, *, limit: int = 20
) -> dict[str, object]:
    params: list[object] = [as_of]
    condition = where(spec, tz, params)
    rows = _rows(
        conn,
        f"""SELECT t.id, y.avg_resolution_hours, a.actual, count(*) OVER () {OVERDUE}
            AND {condition}
            ORDER BY a.actual - y.avg_resolution_hours DESC, t.id LIMIT {int(limit)}""",
        params,
    )
    return {
        "total": rows[0][3] if rows else 0,
        "rows": [
            {"ticket_id": r[0], "expected_hours": float(str(r[1])), "actual_hours": r[2]}
            for r in rows
        ],
    }


HISTOGRAM_BARS = 21  # bar b: hours + 1 in [sqrt(2) ** b, sqrt(2) ** (b + 1)); the last open
HISTOGRAM_MIN_BARS = 8


def resolution_histogram(conn: Conn, spec: FilterSpec, tz: str) -> list[int]:
    """Resolved tickets per bar, bars up to the last holding a ticket (at least eight)."""
    params: list[object] = []
    sql = f"""
        SELECT least(CASE WHEN {HOURS} < 0 THEN 0
                          ELSE floor(log(2.0, ({HOURS} + 1)::numeric) * 2)::int END,
                     {HISTOGRAM_BARS - 1}) AS bar, count(*)
        FROM tickets t
        WHERE t.resolved_at IS NOT NULL AND t.created_at IS NOT NULL AND {where(spec, tz, params)}
        GROUP BY bar"""
    counts = [0] * HISTOGRAM_BARS
    for bar, n in _rows(conn, sql, params):
        counts[int(str(bar))] += int(str(n))
    used = max((i + 1 for i, n in enumerate(counts) if n), default=0)
    return counts[: max(used, HISTOGRAM_MIN_BARS)]


def everything(conn: Conn, spec: FilterSpec, tz: str) -> dict[str, object]:
    team = team_rows(conn, spec, tz)
    by_assigned = sorted(
        team, key=lambda r: (-int(str(r["tickets_assigned"])), int(str(r["team_member_id"])))
    )
    every_client = clients(conn, spec, tz)
    return {
        "overview": overview_cards(conn, spec, tz),
        "tickets_over_time": tickets_over_time(conn, spec, tz),
        "team_rows_by_assigned": by_assigned,
        "top_performer_ids": top_performers(team),
        "ticket_types": ticket_types(conn, spec, tz),
        "priorities": priorities(conn, spec, tz),
        "clients_page_1": {
            "rows": every_client[:20],
            "page": 1,
            "page_size": 20,
            "total": len(every_client),
        },
        "resolution_by_priority": resolution_by_priority(conn, spec, tz),
    }


def _normal(value: object) -> object:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value and value[:2] == "20" else value
        except ValueError:
            return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def assert_close(got: object, want: object, path: str = "") -> None:
    """Equal, with floats equal to 1e-9 relative (sums in another order differ in the last
    bits) and datetimes compared as instants."""
    got, want = _normal(got), _normal(want)
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{path}: {got!r} is not a mapping"
        for key in want:
            assert key in got, f"{path}.{key} missing"
            assert_close(got[key], want[key], f"{path}.{key}")
        return
    if isinstance(want, list):
        assert isinstance(got, list), f"{path}: {got!r} is not a list"
        assert len(got) == len(want), f"{path}: {len(got)} items, want {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_close(g, w, f"{path}[{i}]")
        return
    if isinstance(want, float) and isinstance(got, int | float):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {got} != {want}"
        return
    assert got == want, f"{path}: {got!r} != {want!r}"
