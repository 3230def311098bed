"""Overview cards: totals, open, mean resolution hours, CSAT (mean rating, share of 4-5, count)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.definitions import (
    OPEN_STATUSES,
    SATISFIED_MIN_RATING,
    hours_between,
)
from support_analytics.analytics.schemas import Overview, OverviewCards
from support_analytics.analytics.tables import feedback, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import ticket_clauses


@dataclass(frozen=True)
class CardSums:
    """Additive measures the cards are derived from (what rollups store)."""

    total: int
    open: int
    resolved: int
    resolution_hours: float
    ratings: int
    rating_sum: int
    satisfied: int

    def cards(self) -> OverviewCards:
        return OverviewCards(
            total_tickets=self.total,
            open_tickets=self.open,
            avg_resolution_hours=self.resolution_hours / self.resolved if self.resolved else None,
            csat_avg=self.rating_sum / self.ratings if self.ratings else None,
            csat_satisfied_pct=100.0 * self.satisfied / self.ratings if self.ratings else None,
            feedback_count=self.ratings,
        )


def cards_from_tickets(session: Session, filters: TicketFilters, tz: ZoneInfo) -> OverviewCards:
    """Plain SQL over the raw tables."""
    hours = hours_between(tickets.c.created_at, tickets.c.resolved_at)
    stmt = (
        select(
            func.count(),
            func.count().filter(tickets.c.status.in_(OPEN_STATUSES)),
            func.count(hours),
            func.coalesce(func.sum(hours), 0.0),
            func.count(feedback.c.rating),
            func.coalesce(func.sum(feedback.c.rating), 0),
            func.count().filter(feedback.c.rating >= SATISFIED_MIN_RATING),
        )
        .select_from(tickets.outerjoin(feedback, feedback.c.ticket_id == tickets.c.id))
        .where(*ticket_clauses(filters, tz))
    )
    row = session.execute(stmt).one()
    return CardSums(
        int(row[0]), int(row[1]), int(row[2]), float(row[3]), int(row[4]), int(row[5]), int(row[6])
    ).cards()


def cards_from_rollups(session: Session, filters: TicketFilters) -> OverviewCards:
    c = rollups.cube.c
    measures = (c.n, c.n_open, c.n_resolved, c.res_hours, c.n_rating, c.rating_sum, c.n_sat)
    stmt = select(*(func.coalesce(func.sum(m), 0) for m in measures)).where(
        *rollups.cube_where(filters, basis="c", grouped=())
    )
    row = session.execute(stmt).one()
    return CardSums(
        int(row[0]), int(row[1]), int(row[2]), float(row[3]), int(row[4]), int(row[5]), int(row[6])
    ).cards()


def cards(
    session: Session, filters: TicketFilters, tz: ZoneInfo, use_rollups: bool
) -> OverviewCards:
    if use_rollups:
        return cards_from_rollups(session, filters)
    return cards_from_tickets(session, filters, tz)


Compare = Literal["previous", "year"]
COMPARE_MODES: tuple[Compare, ...] = ("previous", "year")


def compared_filters(filters: TicketFilters, compare: Compare) -> TicketFilters | None:
    """The filter bar the cards are compared with: `previous` the period just before (whole
    calendar months compare with the months before), `year` the same days a year earlier."""
    return filters.previous_period() if compare == "previous" else filters.year_earlier()


def overview(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    compare: Compare = "previous",
    *,
    use_rollups: bool | None = None,
) -> Overview:
    """The cards, plus the same cards over the comparison period when the date range is closed."""
    fast = rollups.use_rollups(session, tz, use_rollups)
    current = cards(session, filters, tz, fast)
    before = compared_filters(filters, compare)
    previous = cards(session, before, tz, fast) if before is not None else None
    return Overview(
        **current.model_dump(),
        compare=compare,
        previous=previous,
        previous_date=before.date.format() if before is not None and before.date else None,
    )
