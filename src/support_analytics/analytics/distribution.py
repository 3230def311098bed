"""Distributions: tickets by type (count and percentage) and by priority (open vs closed)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.definitions import CLOSED_STATUSES, OPEN_STATUSES, PRIORITY_ORDER
from support_analytics.analytics.schemas import Priorities, PriorityRow, TicketTypeRow, TicketTypes
from support_analytics.analytics.tables import ticket_types, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import set_clause, ticket_clauses
from support_analytics.tickets.status import Priority


def types_from_counts(names: list[tuple[int, str]], counts: dict[int, int]) -> TicketTypes:
    """Every type the filter admits, by count (desc) then id; pct of the filtered total."""
    total = sum(counts.get(type_id, 0) for type_id, _ in names)
    rows = [
        TicketTypeRow(
            ticket_type_id=type_id,
            name=name,
            count=counts.get(type_id, 0),
            pct=100.0 * counts.get(type_id, 0) / total if total else None,
        )
        for type_id, name in names
    ]
    rows.sort(key=lambda row: (-row.count, row.ticket_type_id))
    return TicketTypes(rows=rows)


def admitted_types(session: Session, filters: TicketFilters) -> list[tuple[int, str]]:
    stmt = select(ticket_types.c.id, ticket_types.c.type_name).order_by(ticket_types.c.id)
    if filters.ticket_type is not None:
        stmt = stmt.where(set_clause(filters.ticket_type, ticket_types.c.id))
    return [(int(row[0]), str(row[1])) for row in session.execute(stmt).all()]


def ticket_types_from_tickets(
    session: Session, filters: TicketFilters, tz: ZoneInfo
) -> TicketTypes:
    """Plain SQL over the raw tables."""
    stmt = (
        select(tickets.c.ticket_type_id, func.count())
        .where(*ticket_clauses(filters, tz))
        .group_by(tickets.c.ticket_type_id)
    )
    counts = {int(row[0]): int(row[1]) for row in session.execute(stmt).all()}
    return types_from_counts(admitted_types(session, filters), counts)


def admitted_priorities(filters: TicketFilters) -> list[str]:
    flt = filters.priority
    return [p for p in PRIORITY_ORDER if flt is None or flt.admits(Priority(p))]


def priorities_from_counts(
    filters: TicketFilters, counts: dict[str, tuple[int, int, int]]
) -> Priorities:
    return Priorities(
        rows=[
            PriorityRow(
                priority=p,
                open=counts.get(p, (0, 0, 0))[0],
                closed=counts.get(p, (0, 0, 0))[1],
                total=counts.get(p, (0, 0, 0))[2],
            )
            for p in admitted_priorities(filters)
        ]
    )


def priorities_from_tickets(session: Session, filters: TicketFilters, tz: ZoneInfo) -> Priorities:
    """Plain SQL over the raw tables. `total` counts every status (NULL status included)."""
    stmt = (
        select(
            tickets.c.priority,
            func.count().filter(tickets.c.status.in_(OPEN_STATUSES)),
            func.count().filter(tickets.c.status.in_(CLOSED_STATUSES)),
            func.count(),
        )
        .where(and_(tickets.c.priority.is_not(None), *ticket_clauses(filters, tz)))
        .group_by(tickets.c.priority)
    )
    counts = {
        str(row[0]): (int(row[1]), int(row[2]), int(row[3])) for row in session.execute(stmt).all()
    }
    return priorities_from_counts(filters, counts)


def ticket_types_from_rollups(session: Session, filters: TicketFilters) -> TicketTypes:
    c = rollups.cube.c
    stmt = (
        select(c.ticket_type_id, func.sum(c.n))
        .where(*rollups.cube_where(filters, basis="c", grouped=("ticket_type_id",)))
        .group_by(c.ticket_type_id)
    )
    counts = {int(row[0]): int(row[1]) for row in session.execute(stmt).all()}
    return types_from_counts(admitted_types(session, filters), counts)


def priorities_from_rollups(session: Session, filters: TicketFilters) -> Priorities:
    c = rollups.cube.c
    stmt = (
        select(c.priority, func.sum(c.n_open), func.sum(c.n_closed), func.sum(c.n))
        .where(*rollups.cube_where(filters, basis="c", grouped=("priority",)))
        .group_by(c.priority)
    )
    counts = {
        str(row[0]): (int(row[1]), int(row[2]), int(row[3]))
        for row in session.execute(stmt).all()
        if row[0] is not None  # not in SQL: see `rollups.cube_where`
    }
    return priorities_from_counts(filters, counts)


def ticket_types_chart(
    session: Session, filters: TicketFilters, tz: ZoneInfo, *, use_rollups: bool | None = None
) -> TicketTypes:
    """Every ticket type the filter admits, by count (desc), with its share in percent."""
    if rollups.use_rollups(session, tz, use_rollups):
        return ticket_types_from_rollups(session, filters)
    return ticket_types_from_tickets(session, filters, tz)


def priorities(
    session: Session, filters: TicketFilters, tz: ZoneInfo, *, use_rollups: bool | None = None
) -> Priorities:
    """low, medium, high, urgent (those the filter admits): open, closed, total."""
    if rollups.use_rollups(session, tz, use_rollups):
        return priorities_from_rollups(session, filters)
    return priorities_from_tickets(session, filters, tz)
