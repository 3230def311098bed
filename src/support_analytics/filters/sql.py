"""`TicketFilters` -> SQLAlchemy WHERE clauses. Columns are parameters so the same filters apply
to the raw `tickets` table, to a join, or to a rollup table with the same dimensions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.sql.elements import KeyedColumnElement

from support_analytics.db.models import Ticket
from support_analytics.filters.grammar import DateFilter, SetFilter
from support_analytics.filters.model import TicketFilters

T = TypeVar("T")


@dataclass(frozen=True)
class TicketColumns:
    """Where the filter bar's four dimensions live in the selectable being filtered."""

    created_at: KeyedColumnElement[datetime]
    assigned_to: KeyedColumnElement[int | None]
    ticket_type_id: KeyedColumnElement[int]
    priority: KeyedColumnElement[str | None]


TICKETS = TicketColumns(
    created_at=Ticket.__table__.c.created_at,
    assigned_to=Ticket.__table__.c.assigned_to,
    ticket_type_id=Ticket.__table__.c.ticket_type_id,
    priority=Ticket.__table__.c.priority,
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


def set_clause(
    flt: SetFilter[T], column: KeyedColumnElement[T] | KeyedColumnElement[T | None]
) -> ColumnElement[bool]:
    """SQL for SetFilter.admits: NULL is matched only by listing None (`unassigned`);
    negative operators keep NULLs unless None is listed."""
    concrete: Sequence[T] = [value for value in flt.values if value is not None]
    null_listed = len(concrete) != len(flt.values)
    if flt.op.negative:
        not_in: ColumnElement[bool] = column.not_in(concrete) if concrete else true()
        if null_listed:
            return and_(not_in, column.is_not(None))
        return or_(not_in, column.is_(None))
    in_values: ColumnElement[bool] = column.in_(concrete) if concrete else false()
    return or_(in_values, column.is_(None)) if null_listed else in_values


def dimension_clauses(filters: TicketFilters, columns: TicketColumns) -> list[ColumnElement[bool]]:
    """The non-date filters (assignee, type, priority)."""
    clauses: list[ColumnElement[bool]] = []
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
