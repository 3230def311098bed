"""`TicketFilters` -> SQLAlchemy WHERE clauses. Columns are parameters so the same filters apply
to the raw `tickets` table, to a join, or to a rollup table with the same dimensions.

The one place a date filter becomes SQL, whatever it is applied to: instants of a timestamptz
column (`date_clauses`, days in the reporting zone), days of a date column (`day_clauses`:
rollup rows keyed by their day), and rollup buckets of mixed grains (`bucket_condition`:
whole months, week segments and single days covering the filter's days exactly once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.sql.elements import KeyedColumnElement

from support_analytics.db.models import Client, Ticket
from support_analytics.filters.grammar import DateFilter, Plan, SetFilter
from support_analytics.filters.model import TicketFilters

T = TypeVar("T")


@dataclass(frozen=True)
class TicketColumns:
    """Where the filter bar's dimensions live in the selectable being filtered. A selectable
    without a client column (`client_id=None`: the resolution rollups) cannot answer a client
    or plan filter: `dimension_clauses` refuses rather than ignore it."""

    created_at: KeyedColumnElement[datetime]
    assigned_to: KeyedColumnElement[int | None]
    ticket_type_id: KeyedColumnElement[int]
    priority: KeyedColumnElement[str | None]
    client_id: KeyedColumnElement[int | None] | None = None


TICKETS = TicketColumns(
    created_at=Ticket.__table__.c.created_at,
    assigned_to=Ticket.__table__.c.assigned_to,
    ticket_type_id=Ticket.__table__.c.ticket_type_id,
    priority=Ticket.__table__.c.priority,
    client_id=Ticket.__table__.c.client_id,
)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The instant a calendar day begins in `tz` (a timestamptz bound, so indexes apply)."""
    return datetime.combine(day, time.min, tzinfo=tz)


def instant_range(flt: DateFilter | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """Half-open [lower, upper) instants covering the filter's days."""
    if flt is None:
        return None, None
    lower = day_start(flt.start, tz) if flt.start is not None else None
    upper = day_start(flt.end + timedelta(days=1), tz) if flt.end is not None else None
    return lower, upper


def date_clauses(
    flt: DateFilter | None, column: KeyedColumnElement[datetime], tz: ZoneInfo
) -> list[ColumnElement[bool]]:
    lower, upper = instant_range(flt, tz)
    clauses: list[ColumnElement[bool]] = []
    if lower is not None:
        clauses.append(column >= lower)
    if upper is not None:
        clauses.append(column < upper)
    return clauses


def day_clauses(
    flt: DateFilter | None, column: ColumnElement[date] | KeyedColumnElement[date]
) -> list[ColumnElement[bool]]:
    """The filter's days over a date column (rows already bucketed by day in the zone)."""
    clauses: list[ColumnElement[bool]] = []
    if flt is not None and flt.start is not None:
        clauses.append(column >= flt.start)
    if flt is not None and flt.end is not None:
        clauses.append(column <= flt.end)
    return clauses


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _prev_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def _segment_end(day: date) -> date:
    """The day after the week segment starting at `day` (segments are Monday-to-Sunday
    weeks cut at month boundaries, as the rollups' grain 'w' buckets them)."""
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
    parts: list[ColumnElement[bool]] = []
    for run_grain, first, last in bucket_runs(flt, weeks=weeks):
        bounds = [] if first is None else [bucket >= first]
        bounds += [] if last is None else [bucket <= last]
        parts.append(and_(grain == run_grain, *bounds))
    return or_(*parts) if len(parts) > 1 else parts[0]


def bucket_runs(
    flt: DateFilter | None, *, weeks: bool = True
) -> list[tuple[str, date | None, date | None]]:
    """`bucket_condition` as data: (grain, first bucket, last bucket) per disjoint run, None
    for an open end (so a reader can read each run as its own index range)."""
    if flt is None:
        return [("m", None, None)]
    lo, hi = flt.start, flt.end
    first_full = None if lo is None else (lo if lo.day == 1 else _next_month(lo))
    last_full = None
    if hi is not None:
        last_full = hi.replace(day=1) if (hi + timedelta(days=1)).day == 1 else _prev_month(hi)
    spans: list[tuple[date, date]] = []
    out: list[tuple[str, date | None, date | None]] = []
    if first_full is not None and last_full is not None and first_full > last_full:
        assert lo is not None
        assert hi is not None
        spans.append((lo, hi))
    else:
        out.append(("m", first_full, last_full))
        if lo is not None and first_full is not None and lo < first_full:
            spans.append((lo, first_full - timedelta(days=1)))
        if hi is not None and last_full is not None:
            after = _next_month(last_full)
            if after <= hi:
                spans.append((after, hi))
    for span_lo, span_hi in spans:
        runs = cover_span(span_lo, span_hi) if weeks else [("d", span_lo, span_hi)]
        out.extend((run_grain, first, last) for run_grain, first, last in runs)
    return out


def membership(
    column: ColumnElement[T] | ColumnElement[T | None],
    listed: ColumnElement[bool],
    *,
    negative: bool,
    null_listed: bool,
) -> ColumnElement[bool]:
    """SQL for SetFilter.admits, given `listed`: the column among the listed concrete values
    (for a negative operator: not among them), as an IN list (`set_clause`) or an array
    (`filters.shaped`). NULL is matched only by listing None (`unassigned`); negative
    operators keep NULLs unless None is listed."""
    if negative:
        return and_(listed, column.is_not(None)) if null_listed else or_(listed, column.is_(None))
    return or_(listed, column.is_(None)) if null_listed else listed


def set_clause(
    flt: SetFilter[T], column: KeyedColumnElement[T] | KeyedColumnElement[T | None]
) -> ColumnElement[bool]:
    """SQL for SetFilter.admits, the values listed inline (`membership`)."""
    concrete: Sequence[T] = [value for value in flt.values if value is not None]
    listed: ColumnElement[bool]
    if flt.op.negative:
        listed = column.not_in(concrete) if concrete else true()
    else:
        listed = column.in_(concrete) if concrete else false()
    return membership(
        column, listed, negative=flt.op.negative, null_listed=len(concrete) != len(flt.values)
    )


def plan_membership(
    client_id: KeyedColumnElement[int | None], on_plan: ColumnElement[bool], *, negative: bool
) -> ColumnElement[bool]:
    """A plan is the set of clients on it (`on_plan`, a condition on `clients.plan_type`):
    the plan filter is a client filter over that set (a client without a plan is on none,
    so negative operators keep its tickets)."""
    on_plans = select(Client.__table__.c.id).where(on_plan)
    if negative:
        return or_(client_id.not_in(on_plans), client_id.is_(None))
    return client_id.in_(on_plans)


def plan_clause(
    flt: SetFilter[Plan], client_id: KeyedColumnElement[int | None]
) -> ColumnElement[bool]:
    """`plan_membership` of the plans listed inline."""
    plans = Client.__table__.c.plan_type.in_([str(p) for p in flt.values])
    return plan_membership(client_id, plans, negative=flt.op.negative)


def dimension_clauses(filters: TicketFilters, columns: TicketColumns) -> list[ColumnElement[bool]]:
    """The non-date filters (assignee, type, priority, client, plan)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.by_client:
        if columns.client_id is None:
            raise ValueError("a client or plan filter over a selectable without a client column")
        if filters.client is not None:
            clauses.append(set_clause(filters.client, columns.client_id))
        if filters.plan is not None:
            clauses.append(plan_clause(filters.plan, columns.client_id))
    if filters.team_member is not None:
        clauses.append(set_clause(filters.team_member, columns.assigned_to))
    if filters.ticket_type is not None:
        clauses.append(set_clause(filters.ticket_type, columns.ticket_type_id))
    if filters.priority is not None:
        priorities = SetFilter(filters.priority.op, tuple(str(p) for p in filters.priority.values))
        clauses.append(set_clause(priorities, columns.priority))
    return clauses


def ticket_clauses(
    filters: TicketFilters, tz: ZoneInfo, columns: TicketColumns = TICKETS
) -> list[ColumnElement[bool]]:
    """Every filter of the bar over tickets (creation day in `tz`, then the dimensions)."""
    return date_clauses(filters.date, columns.created_at, tz) + dimension_clauses(filters, columns)
