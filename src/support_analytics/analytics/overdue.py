"""Overdue tickets, worst first: expected (type's avg_resolution_hours) vs actual hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Float, cast, select
from sqlalchemy.orm import Session

from support_analytics.analytics.clients import local
from support_analytics.analytics.resolution_times import (
    actual_hours,
    overdue_clause,
    overdue_count,
    overdue_count_from_tickets,
)
from support_analytics.analytics.schemas import OverduePage, OverdueRow
from support_analytics.analytics.tables import ticket_types, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import ticket_clauses

DEFAULT_PAGE_SIZE = 20


def overdue_from_tickets(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    as_of: datetime | None = None,
    count: Callable[[Session, TicketFilters, ZoneInfo, datetime], int] = overdue_count_from_tickets,
) -> OverduePage:
    """Plain SQL over the raw tables; ordered by hours over the expectation, then id."""
    now = as_of or datetime.now(UTC)
    actual = actual_hours(now)
    expected = cast(ticket_types.c.avg_resolution_hours, Float)
    over = actual - expected
    stmt = (
        select(
            tickets.c.id,
            tickets.c.title,
            tickets.c.client_id,
            tickets.c.status,
            tickets.c.priority,
            tickets.c.ticket_type_id,
            ticket_types.c.type_name,
            tickets.c.assigned_to,
            tickets.c.created_at,
            tickets.c.resolved_at,
            expected,
            actual,
            over,
        )
        .select_from(tickets.join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id))
        .where(overdue_clause(now), *ticket_clauses(filters, tz))
        .order_by(over.desc(), tickets.c.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = [
        OverdueRow(
            ticket_id=row[0],
            title=row[1],
            client_id=row[2],
            status=row[3],
            priority=row[4],
            ticket_type_id=row[5],
            ticket_type=row[6],
            assigned_to=row[7],
            created_at=local(row[8], tz),
            resolved_at=local(row[9], tz),
            expected_hours=float(row[10]),
            actual_hours=float(row[11]),
            overdue_hours=float(row[12]),
        )
        for row in session.execute(stmt).all()
    ]
    total = count(session, filters, tz, now)
    return OverduePage(rows=rows, page=page, page_size=page_size, total=total)


def overdue(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    as_of: datetime | None = None,
) -> OverduePage:
    """Overdue tickets, most hours over their type's expectation first; `total` counts all."""
    now = as_of or datetime.now(UTC)
    return overdue_from_tickets(
        session, filters, tz, page=page, page_size=page_size, as_of=now, count=overdue_count
    )
