"""Click-through: the ticket inbox URL (`/tickets?...`) selecting exactly the tickets behind a
number. The inbox takes the same filter parameters as the dashboard, so a link is the current
filters narrowed by the clicked element (never widened: a month inside a date range is the
intersection of both)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import DateFilter, SetFilter, SetOp
from support_analytics.tickets.list_filters import ANY
from support_analytics.tickets.status import CLOSED_GROUP, OPEN_GROUP, Priority
from support_analytics.web.urls import url

INBOX = "/tickets"
OPEN = OPEN_GROUP
CLOSED = CLOSED_GROUP
RATED = ANY  # tickets with a rating: the ones the CSAT card averages over


def tickets_url(filters: TicketFilters, **extra: str | int | None) -> str:
    # Concrete days: a link must select the tickets counted now, not move with the clock.
    return url(INBOX, filters.concrete().to_params(), **extra)


def for_type(filters: TicketFilters, type_id: int, *more: int) -> TicketFilters:
    """Only these types (each already admitted by `filters`, so replacing its type filter
    narrows it)."""
    if more:
        return replace(filters, ticket_type=SetFilter(SetOp.ANY_OF, (type_id, *more)))
    return replace(filters, ticket_type=SetFilter(SetOp.IS, (type_id,)))


def for_priority(filters: TicketFilters, priority: str) -> TicketFilters:
    return replace(filters, priority=SetFilter(SetOp.IS, (Priority(priority),)))


def _days_within(first: date, last: date, within: DateFilter | None) -> DateFilter | None:
    """The days first..last inside the current date filter; None if none are."""
    if within is not None:
        if within.start is not None:
            first = max(first, within.start)
        if within.end is not None:
            last = min(last, within.end)
    if first > last:
        return None
    return DateFilter.on(first) if first == last else DateFilter.between(first, last)


def created_in_days(filters: TicketFilters, first: date, last: date) -> str | None:
    """Tickets created on the days first..last within the current filters (a week or day)."""
    days = _days_within(first, last, filters.date)
    return None if days is None else tickets_url(filters.with_date(days))


def resolved_in_days(filters: TicketFilters, first: date, last: date) -> str | None:
    """Tickets resolved on the days first..last: the "resolved" series applies the date filter
    to the resolution day, so the link moves it there (`resolved=`) and drops the creation
    date."""
    days = _days_within(first, last, filters.date)
    return None if days is None else tickets_url(filters.with_date(None), resolved=days.format())
