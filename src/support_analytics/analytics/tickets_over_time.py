"""Tickets created and resolved per month; each series is filtered by its own date."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.schemas import MonthPoint, TicketsOverTime
from support_analytics.analytics.tables import tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import TICKETS, date_clauses, dimension_clauses


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(first: date, last: date) -> list[str]:
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def build_series(
    filters: TicketFilters, created: dict[str, int], resolved: dict[str, int]
) -> TicketsOverTime:
    """Every month from the filter's start (else the first month with data) to its end (else
    the last month with data), zeros included, so gaps show as gaps."""
    seen = sorted({*created, *resolved})
    start = filters.date.start if filters.date is not None else None
    end = filters.date.end if filters.date is not None else None
    first = month_key(start) if start is not None else (seen[0] if seen else None)
    last = month_key(end) if end is not None else (seen[-1] if seen else None)
    first = first or last
    last = last or first
    if first is None or last is None:
        return TicketsOverTime(series=[])
    months = months_between(date.fromisoformat(first + "-01"), date.fromisoformat(last + "-01"))
    return TicketsOverTime(
        series=[
            MonthPoint(month=m, created=created.get(m, 0), resolved=resolved.get(m, 0))
            for m in months
        ]
    )


def from_tickets(session: Session, filters: TicketFilters, tz: ZoneInfo) -> TicketsOverTime:
    """Plain SQL over the raw tables."""
    dims = dimension_clauses(filters, TICKETS)
    created_month = func.to_char(func.timezone(tz.key, tickets.c.created_at), "YYYY-MM")
    resolved_month = func.to_char(func.timezone(tz.key, tickets.c.resolved_at), "YYYY-MM")
    created_rows = session.execute(
        select(created_month, func.count())
        .where(tickets.c.created_at.is_not(None), *dims)
        .where(*date_clauses(filters.date, tickets.c.created_at, tz))
        .group_by(created_month)
    ).all()
    resolved_rows = session.execute(
        select(resolved_month, func.count())
        .where(tickets.c.resolved_at.is_not(None), *dims)
        .where(*date_clauses(filters.date, tickets.c.resolved_at, tz))
        .group_by(resolved_month)
    ).all()
    return build_series(
        filters,
        {str(m): int(n) for m, n in created_rows},
        {str(m): int(n) for m, n in resolved_rows},
    )


def from_rollups(session: Session, filters: TicketFilters) -> TicketsOverTime:
    c = rollups.cube.c
    month = func.to_char(func.date_trunc("month", c.bucket), "YYYY-MM")
    series: list[dict[str, int]] = []
    for basis in ("c", "r"):
        stmt = (
            select(month, func.sum(c.n))
            .where(c.bucket.is_not(None), *rollups.cube_where(filters, basis=basis, grouped=()))
            .group_by(month)
        )
        series.append({str(m): int(n) for m, n in session.execute(stmt).all() if n})
    return build_series(filters, series[0], series[1])


def tickets_over_time(session: Session, filters: TicketFilters, tz: ZoneInfo) -> TicketsOverTime:
    if rollups.usable(session, tz):
        return from_rollups(session, filters)
    return from_tickets(session, filters, tz)
