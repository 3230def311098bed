"""Tickets created and resolved per day, week (Monday to Sunday) or month; each series is
filtered by its own date."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.overview import Compare, compared_filters
from support_analytics.analytics.schemas import MonthPoint, TicketsOverTime
from support_analytics.analytics.tables import tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import TICKETS, date_clauses, dimension_clauses

Grain = Literal["day", "week", "month"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month")
# How PostgreSQL writes a period's key; a week is keyed by its Monday.
_KEY_FORMAT = {"day": "YYYY-MM-DD", "week": "YYYY-MM-DD", "month": "YYYY-MM"}


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_start(day: date, grain: Grain) -> date:
    if grain == "month":
        return day.replace(day=1)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day


def period_key(day: date, grain: Grain) -> str:
    start = period_start(day, grain)
    return month_key(start) if grain == "month" else start.isoformat()


def _parse_key(key: str) -> date:
    return date.fromisoformat(key + "-01" if len(key) == 7 else key)


def period_days(key: str, grain: Grain) -> tuple[date, date]:
    """The first and last day of the period a series point names."""
    first = _parse_key(key)
    if grain == "month":
        return first, date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    return first, first + timedelta(days=6 if grain == "week" else 0)


def months_between(first: date, last: date) -> list[str]:
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def periods_between(first: date, last: date, grain: Grain) -> list[str]:
    if grain == "month":
        return months_between(first, last)
    step = timedelta(days=7 if grain == "week" else 1)
    day, end = period_start(first, grain), period_start(last, grain)
    keys: list[str] = []
    while day <= end:
        keys.append(day.isoformat())
        day += step
    return keys


def build_series(
    filters: TicketFilters,
    created: dict[str, int],
    resolved: dict[str, int],
    grain: Grain = "month",
) -> TicketsOverTime:
    """Every period from the filter's start (else the first period with data) to its end
    (else the last period with data), zeros included, so gaps show as gaps."""
    seen = sorted({*created, *resolved})
    start = filters.date.start if filters.date is not None else None
    end = filters.date.end if filters.date is not None else None
    first = period_key(start, grain) if start is not None else (seen[0] if seen else None)
    last = period_key(end, grain) if end is not None else (seen[-1] if seen else None)
    first = first or last
    last = last or first
    if first is None or last is None:
        return TicketsOverTime(series=[], grain=grain)
    keys = periods_between(_parse_key(first), _parse_key(last), grain)
    return TicketsOverTime(
        grain=grain,
        series=[
            MonthPoint(
                month=k[:7],
                period=k,
                created=created.get(k, 0),
                resolved=resolved.get(k, 0),
            )
            for k in keys
        ],
    )


def from_tickets(
    session: Session, filters: TicketFilters, tz: ZoneInfo, grain: Grain = "month"
) -> TicketsOverTime:
    """Plain SQL over the raw tables."""
    dims = dimension_clauses(filters, TICKETS)
    series: list[dict[str, int]] = []
    for column in (tickets.c.created_at, tickets.c.resolved_at):
        key = func.to_char(
            func.date_trunc(grain, func.timezone(tz.key, column)), _KEY_FORMAT[grain]
        )
        rows = session.execute(
            select(key, func.count())
            .where(column.is_not(None), *dims)
            .where(*date_clauses(filters.date, column, tz))
            .group_by(key)
        ).all()
        series.append({str(k): int(n) for k, n in rows})
    return build_series(filters, series[0], series[1], grain)


def from_rollups(
    session: Session, filters: TicketFilters, grain: Grain = "month"
) -> TicketsOverTime:
    """Months from the cube's month rows (edges by week segment and day, `cube_where`); days
    and weeks from its day rows (a week's segments may be cut at a month's end)."""
    c = rollups.cube.c
    key = func.to_char(func.date_trunc(grain, c.bucket), _KEY_FORMAT[grain])
    series: list[dict[str, int]] = []
    for basis in ("c", "r"):
        where = (
            rollups.cube_where(filters, basis=basis, grouped=())
            if grain == "month"
            else rollups.day_where(filters, basis=basis)
        )
        stmt = select(key, func.sum(c.n)).where(c.bucket.is_not(None), *where).group_by(key)
        series.append({str(k): int(n) for k, n in session.execute(stmt).all() if n})
    return build_series(filters, series[0], series[1], grain)


def tickets_over_time(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    grain: Grain = "month",
    *,
    use_rollups: bool | None = None,
) -> TicketsOverTime:
    if rollups.use_rollups(session, tz, use_rollups, filters):
        return from_rollups(session, filters, grain)
    return from_tickets(session, filters, tz, grain)


def with_comparison(
    session: Session,
    result: TicketsOverTime,
    filters: TicketFilters,
    tz: ZoneInfo,
    compare: Compare | None,
    *,
    use_rollups: bool | None = None,
) -> TicketsOverTime:
    """`result` plus the series of the period the overview cards compare with (`previous`:
    the period just before, whole months by whole months; `year`: a year earlier), aligned
    by position. Nothing is compared without a closed date range."""
    if compare is None:
        return result
    before = compared_filters(filters, compare)
    if before is None or before.date is None:
        return result.model_copy(update={"compare": compare})
    other = tickets_over_time(session, before, tz, result.grain, use_rollups=use_rollups)
    return result.model_copy(
        update={
            "compare": compare,
            "comparison": other.series,
            "comparison_date": before.date.format(),
        }
    )
