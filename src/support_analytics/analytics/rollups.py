"""Reading the rollups of migration 0004 (`analytics_cube`, `analytics_resolution`) and
rebuilding them after bulk loads.

A widget asks `cube_where` for sums grouped by some dimensions: the cube slice is the one
grouped by exactly the dimensions its filters and grouping touch (`gmask`), full months come
from grain 'm', the rest of the range's edges from week segments (grain 'w', migration
0004_weeks) and single days (grain 'd'). When the rollups are stale
or were built for another timezone, `usable` says no and widgets read the raw tables.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Protocol, cast
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    and_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import DateFilter
from support_analytics.filters.sql import TicketColumns, dimension_clauses

_metadata = MetaData()

cube = Table(
    "analytics_cube",
    _metadata,
    Column("basis", Text),
    Column("gmask", SmallInteger),
    Column("grain", Text),
    Column("bucket", Date),
    Column("client_id", Integer),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer),
    Column("priority", String(20)),
    *(
        Column(name, BigInteger)
        for name in (
            "n",
            "n_open",
            "n_closed",
            "n_resolved",
            "n_rating",
            "rating_sum",
            "n_sat",
            "n_late_done",
            "n_open_typed",
        )
    ),
    Column("res_hours", Float),
)

resolution = Table(
    "analytics_resolution",
    _metadata,
    Column("ticket_id", Integer, primary_key=True),
    Column("priority", String(20)),
    Column("cday", Date),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer),
    Column("hours", Float),
    Column("bin", Integer),
)

hours_hist = Table(
    "analytics_hours_hist",
    _metadata,
    Column("gmask", SmallInteger),
    Column("grain", Text),
    Column("bucket", Date),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer),
    Column("priority", String(20)),
    Column("bin", Integer),
    Column("n", BigInteger),
)

state = Table(
    "analytics_rollup_state",
    _metadata,
    Column("timezone", Text),
    Column("fresh", Boolean),
)

CUBE_COLUMNS = TicketColumns(
    created_at=cube.c.bucket,
    assigned_to=cube.c.assigned_to,
    ticket_type_id=cube.c.ticket_type_id,
    priority=cube.c.priority,
)
# The same columns as expressions no index matches. With a date range, the bucket condition is
# an OR of ranges that the index (basis, gmask, grain, bucket, ...) answers with a BitmapOr of a
# few thousand rows; when the dimension filters were indexable too, the planner used them
# instead (skip scan) and read the whole slice: 1M tickets, team table for type any_of:5,7 and
# four priorities from 2025-10-26 on, 91 ms against 0.8 ms.
_assigned_to: ColumnElement[int | None] = cube.c.assigned_to + 0
_ticket_type_id: ColumnElement[int] = cube.c.ticket_type_id + 0
_priority = cast("ColumnElement[str | None]", cube.c.priority.concat(""))
CUBE_COLUMNS_UNINDEXED = TicketColumns(
    created_at=cube.c.bucket,
    assigned_to=_assigned_to.label(None),
    ticket_type_id=_ticket_type_id.label(None),
    priority=_priority.label(None),
)
RESOLUTION_COLUMNS = TicketColumns(
    created_at=resolution.c.cday,
    assigned_to=resolution.c.assigned_to,
    ticket_type_id=resolution.c.ticket_type_id,
    priority=resolution.c.priority,
)
HIST_COLUMNS = TicketColumns(
    created_at=hours_hist.c.bucket,
    assigned_to=hours_hist.c.assigned_to,
    ticket_type_id=hours_hist.c.ticket_type_id,
    priority=hours_hist.c.priority,
)
BITS = {"assigned_to": 1, "ticket_type_id": 2, "priority": 4, "client_id": 8}


class Executes(Protocol):
    def execute(self, query: str, params: tuple[str, ...] = ...) -> object: ...


def rebuild(conn: Executes, timezone: str) -> None:
    """Recompute every rollup from the raw tables, bucketed in `timezone` (call after bulk
    loads, and when the reporting timezone changes)."""
    conn.execute("SELECT analytics_rebuild(%s)", (timezone,))


def vacuum(conn: Executes) -> None:
    """After a rebuild, outside a transaction: fresh statistics and a visibility map, so the
    resolution rows are read by index-only scans."""
    conn.execute("VACUUM (ANALYZE) analytics_cube, analytics_resolution, analytics_hours_hist")


def usable(session: Session, tz: ZoneInfo) -> bool:
    """Whether the rollups are fresh and bucketed in `tz` (else widgets read raw tables)."""
    row = session.execute(select(state.c.timezone, state.c.fresh)).first()
    return row is not None and bool(row.fresh) and row.timezone == tz.key


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _prev_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def _segment_end(day: date) -> date:
    """The day after the week segment starting at `day` (segments are Monday-to-Sunday
    weeks cut at month boundaries, as grain 'w' of migration 0004_weeks buckets them)."""
    return min(day + timedelta(days=7 - day.weekday()), _next_month(day))


def cover_span(lo: date, hi: date) -> list[tuple[str, date, date]]:
    """Runs (grain, first bucket, last bucket) covering the days lo..hi exactly once: whole
    week segments where they fit, single days elsewhere."""
    runs: list[tuple[str, date, date]] = []
    day = lo
    while day <= hi:
        end = _segment_end(day)
        starts_segment = day.weekday() == 0 or day.day == 1
        grain, step = (
            ("w", end)
            if starts_segment and end <= hi + timedelta(days=1)
            else (
                "d",
                day + timedelta(days=1),
            )
        )
        if runs and runs[-1][0] == grain:
            runs[-1] = (grain, runs[-1][1], day)
        else:
            runs.append((grain, day, day))
        day = step
    return runs


def bucket_condition(
    flt: DateFilter | None,
    bucket: ColumnElement[date],
    grain: ColumnElement[str],
    *,
    weeks: bool = True,
) -> ColumnElement[bool]:
    """Rows covering exactly the filter's days: whole months from grain 'm', then the partial
    months at either end by week segment (grain 'w', when the table has it) and day ('d')."""
    if flt is None:
        return grain == "m"
    lo, hi = flt.start, flt.end
    first_full = None if lo is None else (lo if lo.day == 1 else _next_month(lo))
    last_full = None
    if hi is not None:
        last_full = hi.replace(day=1) if (hi + timedelta(days=1)).day == 1 else _prev_month(hi)
    spans: list[tuple[date, date]] = []
    parts: list[ColumnElement[bool]] = []
    if first_full is not None and last_full is not None and first_full > last_full:
        assert lo is not None
        assert hi is not None
        spans.append((lo, hi))
    else:
        months: list[ColumnElement[bool]] = [grain == "m"]
        if first_full is not None:
            months.append(bucket >= first_full)
        if last_full is not None:
            months.append(bucket <= last_full)
        parts.append(and_(*months))
        if lo is not None and first_full is not None and lo < first_full:
            spans.append((lo, first_full - timedelta(days=1)))
        if hi is not None and last_full is not None:
            after = _next_month(last_full)
            if after <= hi:
                spans.append((after, hi))
    for span_lo, span_hi in spans:
        runs = cover_span(span_lo, span_hi) if weeks else [("d", span_lo, span_hi)]
        for run_grain, first, last in runs:
            parts.append(and_(grain == run_grain, bucket >= first, bucket <= last))
    return or_(*parts) if len(parts) > 1 else parts[0]


def mask_for(filters: TicketFilters, grouped: tuple[str, ...]) -> int:
    mask = sum(BITS[name] for name in grouped)
    if filters.team_member is not None:
        mask |= BITS["assigned_to"]
    if filters.ticket_type is not None:
        mask |= BITS["ticket_type_id"]
    if filters.priority is not None:
        mask |= BITS["priority"]
    return mask


def cube_where(
    filters: TicketFilters, *, basis: str, grouped: tuple[str, ...]
) -> list[ColumnElement[bool]]:
    """The slice of `analytics_cube` that answers `filters` grouped by `grouped`."""
    return [
        cube.c.basis == basis,
        cube.c.gmask == mask_for(filters, grouped),
        bucket_condition(filters.date, cube.c.bucket, cube.c.grain),
        *dimension_clauses(
            filters, CUBE_COLUMNS if filters.date is None else CUBE_COLUMNS_UNINDEXED
        ),
    ]


def day_where(filters: TicketFilters, *, basis: str) -> list[ColumnElement[bool]]:
    """The cube's day rows for `filters` (per-day series: days, and weeks summed from days)."""
    clauses = [
        cube.c.basis == basis,
        cube.c.gmask == mask_for(filters, ()),
        cube.c.grain == "d",
        *dimension_clauses(filters, CUBE_COLUMNS_UNINDEXED),
    ]
    if filters.date is not None and filters.date.start is not None:
        clauses.append(cube.c.bucket >= filters.date.start)
    if filters.date is not None and filters.date.end is not None:
        clauses.append(cube.c.bucket <= filters.date.end)
    return clauses


def resolution_where(filters: TicketFilters) -> list[ColumnElement[bool]]:
    clauses = dimension_clauses(filters, RESOLUTION_COLUMNS)
    if filters.date is not None:
        if filters.date.start is not None:
            clauses.append(resolution.c.cday >= filters.date.start)
        if filters.date.end is not None:
            clauses.append(resolution.c.cday <= filters.date.end)
    return clauses


def hist_where(
    filters: TicketFilters, *, priority: bool = True
) -> list[ColumnElement[bool]] | None:
    """The histogram slice for `filters`, or None when it has no such slice (assignee and
    type filtered together). `priority=False` leaves the priority filter to the caller: a
    condition on priority, a column behind the bucket in the index, made the planner scan the
    whole slice instead of OR-ing the date ranges (24 ms against 3 ms at 1M tickets)."""
    if filters.team_member is not None and filters.ticket_type is not None:
        return None
    mask = 1 if filters.team_member is not None else 2 if filters.ticket_type is not None else 0
    h = hours_hist.c
    return [
        h.gmask == mask,
        bucket_condition(filters.date, h.bucket, h.grain, weeks=False),
        *dimension_clauses(filters if priority else replace(filters, priority=None), HIST_COLUMNS),
    ]


# pg_advisory_lock key of the start-up rebuild (any constant no other code uses).
_REBUILD_LOCK = 0x5A_0C_B1_1D


def ensure_fresh(libpq_url: str, timezone: str) -> bool:
    """At start-up: rebuild when the rollups are stale or bucketed in another zone than the
    configured reporting zone (else every view would read the raw tables). True if rebuilt.

    `serve --workers N` starts N processes that each call this: an advisory lock lets one
    rebuild while the others wait, and they find the rollups fresh once it is released."""
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_REBUILD_LOCK,))
        try:
            row = conn.execute("SELECT timezone, fresh FROM analytics_rollup_state").fetchone()
            if row is not None and row[1] and row[0] == timezone:
                return False
            rebuild(conn, timezone)
            vacuum(conn)
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_REBUILD_LOCK,))
