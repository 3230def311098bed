"""Click-through: the ticket inbox URL (`/tickets?...`) selecting exactly the tickets behind a
number. The inbox takes the same filter parameters as the dashboard, so a link is the current
filters narrowed by the clicked element (never widened: a month inside a date range is the
intersection of both)."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import DateFilter, Priority, SetFilter, SetOp

INBOX = "/tickets"
OPEN = "open,in_progress"
CLOSED = "resolved,closed"


def tickets_url(filters: TicketFilters, **extra: str | int | None) -> str:
    params = dict(filters.to_params())
    params.update({key: str(value) for key, value in extra.items() if value is not None})
    query = urlencode(params)
    return f"{INBOX}?{query}" if query else INBOX


def for_member(filters: TicketFilters, member_id: int) -> TicketFilters:
    return replace(filters, team_member=SetFilter(SetOp.IS, (member_id,)))


def for_type(filters: TicketFilters, type_id: int) -> TicketFilters:
    return replace(filters, ticket_type=SetFilter(SetOp.IS, (type_id,)))


def for_priority(filters: TicketFilters, priority: str) -> TicketFilters:
    return replace(filters, priority=SetFilter(SetOp.IS, (Priority(priority),)))


def for_month(filters: TicketFilters, month: str) -> TicketFilters | None:
    """Tickets created in `month` ("2025-03") within the current date filter; None if the
    two do not overlap."""
    first = date.fromisoformat(f"{month}-01")
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    current = filters.date
    if current is not None:
        if current.start is not None:
            first = max(first, current.start)
        if current.end is not None:
            last = min(last, current.end)
    if first > last:
        return None
    narrowed = DateFilter.on(first) if first == last else DateFilter.between(first, last)
    return filters.with_date(narrowed)
