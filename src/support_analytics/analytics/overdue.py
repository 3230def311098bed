"""Overdue tickets, worst first: expected (type's avg_resolution_hours) vs actual hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Float,
    any_,
    cast,
    false,
    func,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.clients import local
from support_analytics.analytics.definitions import OPEN_STATUSES
from support_analytics.analytics.resolution_times import (
    actual_hours,
    overdue_clause,
    overdue_count,
    overdue_count_from_tickets,
)
from support_analytics.analytics.schemas import OverduePage, OverdueRow
from support_analytics.analytics.tables import ticket_types, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import TicketColumns, set_clause, ticket_clauses

DEFAULT_PAGE_SIZE = 20
# Beyond this many rows (deep pages, CSV) sorting every overdue ticket is cheaper.
MAX_CANDIDATES = 5000


def _one_of(column: ColumnElement[int], ids: CompoundSelect[tuple[int]]) -> ColumnElement[bool]:
    """`column = ANY(ARRAY(ids))`: the few hundred candidates are fetched by primary key. As
    `IN (subquery)` the planner often hashed every ticket matching the filters instead."""
    return column == any_(func.array(ids.scalar_subquery()))


def overdue_from_tickets(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    as_of: datetime | None = None,
    count: Callable[[Session, TicketFilters, ZoneInfo, datetime], int] = overdue_count_from_tickets,
    among: CompoundSelect[tuple[int]] | None = None,
) -> OverduePage:
    """Plain SQL over the raw tables; ordered by hours over the expectation, then id.
    `among`: ids known to contain the requested page (see `candidates`)."""
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
        .where(*([_one_of(tickets.c.id, among)] if among is not None else []))
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


def candidates(filters: TicketFilters, tz: ZoneInfo, first_rows: int) -> CompoundSelect[tuple[int]]:
    """Ids that include the `first_rows` most overdue tickets. Within one ticket type the
    expectation is a constant, so the most overdue open tickets are its oldest and the most
    overdue resolved ones its slowest: per type, the first `first_rows` of each, read from
    the two partial indexes of migration 0004_hist."""
    cand = tickets.alias("cand")
    columns = TicketColumns(
        created_at=cand.c.created_at,
        assigned_to=cand.c.assigned_to,
        ticket_type_id=cand.c.ticket_type_id,
        priority=cand.c.priority,
        client_id=cand.c.client_id,
    )
    same_type = cand.c.ticket_type_id == ticket_types.c.id
    # Literal statuses, not parameters: the planner must see the partial indexes' predicates.
    is_open = cand.c.status.in_([literal_column(f"'{status}'") for status in OPEN_STATUSES])
    oldest_open = (
        select(cand.c.id)
        .where(same_type, is_open, *ticket_clauses(filters, tz, columns))
        .order_by(cand.c.created_at, cand.c.id)
        .limit(first_rows)
        .lateral("oldest_open")
    )
    slowest_done = (
        select(cand.c.id)
        .where(
            same_type,
            func.coalesce(is_open, false()).is_(false()),
            cand.c.resolved_at.is_not(None),
            *ticket_clauses(filters, tz, columns),
        )
        .order_by((cand.c.resolved_at - cand.c.created_at).desc(), cand.c.id)
        .limit(first_rows)
        .lateral("slowest_done")
    )
    typed: list[ColumnElement[bool]] = [ticket_types.c.avg_resolution_hours.is_not(None)]
    if filters.ticket_type is not None:
        typed.append(set_clause(filters.ticket_type, ticket_types.c.id))
    return union_all(
        select(oldest_open.c.id).select_from(ticket_types.join(oldest_open, true())).where(*typed),
        select(slowest_done.c.id)
        .select_from(ticket_types.join(slowest_done, true()))
        .where(*typed),
    )


def overdue(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    as_of: datetime | None = None,
    use_rollups: bool | None = None,
) -> OverduePage:
    """Overdue tickets, most hours over their type's expectation first; `total` counts all."""
    now = as_of or datetime.now(UTC)
    fast = rollups.use_rollups(session, tz, use_rollups)

    def count(session: Session, filters: TicketFilters, tz: ZoneInfo, as_of: datetime) -> int:
        return overdue_count(session, filters, tz, as_of, use_rollups=fast)

    first_rows = page * page_size
    among = candidates(filters, tz, first_rows) if first_rows <= MAX_CANDIDATES else None
    return overdue_from_tickets(
        session,
        filters,
        tz,
        page=page,
        page_size=page_size,
        as_of=now,
        count=count,
        among=among,
    )
