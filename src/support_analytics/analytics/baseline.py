"""Plain SQL over the raw tables, per endpoint: what `bench` compares the product against
(the same answers, computed the straightforward way). The tests keep their own oracle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.orm import Session

from support_analytics.analytics import (
    clients,
    distribution,
    overdue,
    overview,
    resolution_histogram,
    resolution_times,
    responsiveness,
    team_performance,
    tickets_over_time,
)
from support_analytics.analytics.schemas import ResolutionTimes, TeamPerformance
from support_analytics.filters import TicketFilters
from support_analytics.sla import breakdown, state

Widget = Callable[[Session, TicketFilters, ZoneInfo, datetime], BaseModel]


def _overview(session: Session, filters: TicketFilters, tz: ZoneInfo, _: datetime) -> BaseModel:
    current = overview.cards_from_tickets(session, filters, tz)
    before = filters.previous_period()
    if before is not None:
        overview.cards_from_tickets(session, before, tz)
    return current


def _team(session: Session, filters: TicketFilters, tz: ZoneInfo, _: datetime) -> BaseModel:
    rows = team_performance.rows_from_tickets(session, filters, tz)
    return team_performance.arrange(rows, team_performance.TeamTableQuery())


def _resolution(
    session: Session, filters: TicketFilters, tz: ZoneInfo, as_of: datetime
) -> BaseModel:
    return ResolutionTimes(
        by_priority=resolution_times.stats_from_tickets(session, filters, tz),
        overdue_count=resolution_times.overdue_count_from_tickets(session, filters, tz, as_of),
    )


# The SLA endpoints' plain SQL reads `ticket_sla` (one row per ticket and target, kept by
# triggers): business time has no plain-SQL form short of a minute walk (tests/sla has that).
BASELINE: dict[str, Widget] = {
    "overview": _overview,
    "tickets-over-time": lambda s, f, tz, _: tickets_over_time.from_tickets(s, f, tz),
    "team-performance": _team,
    "ticket-types": lambda s, f, tz, _: distribution.ticket_types_from_tickets(s, f, tz),
    "priorities": lambda s, f, tz, _: distribution.priorities_from_tickets(s, f, tz),
    "clients": lambda s, f, tz, _: clients.clients_from_tickets(s, f, tz),
    "resolution-times": _resolution,
    "overdue": lambda s, f, tz, now: overdue.overdue_from_tickets(s, f, tz, as_of=now),
    "responsiveness": lambda s, f, tz, _: responsiveness.from_tickets(s, f, tz),
    "responsiveness/team": lambda s, f, tz, _: responsiveness.team_from_tickets(s, f, tz),
    "resolution-histogram": lambda s, f, tz, _: resolution_histogram.from_tickets(s, f, tz),
    "sla": lambda s, f, tz, now: state.sla_block_from_rows(s, f, tz, as_of=now),
    "sla-breaches": lambda s, f, tz, now: state.breaches_from_rows(
        s, f, tz, which="breached", target="resolution", as_of=now
    ),
    "sla/breakdown?by=team_member": lambda s, f, tz, now: breakdown.from_rows(
        s, f, tz, by="team_member", as_of=now
    ),
    "sla/breakdown?by=client": lambda s, f, tz, now: breakdown.from_rows(
        s, f, tz, by="client", as_of=now
    ),
    "sla/breakdown?by=period": lambda s, f, tz, now: breakdown.from_rows(
        s, f, tz, by="period", as_of=now
    ),
}

PRODUCT: dict[str, Widget] = {
    "overview": lambda s, f, tz, _: overview.overview(s, f, tz),
    "tickets-over-time": lambda s, f, tz, _: tickets_over_time.tickets_over_time(s, f, tz),
    "team-performance": lambda s, f, tz, _: team_performance.team_performance(s, f, tz),
    "ticket-types": lambda s, f, tz, _: distribution.ticket_types_chart(s, f, tz),
    "priorities": lambda s, f, tz, _: distribution.priorities(s, f, tz),
    "clients": lambda s, f, tz, _: clients.client_analysis(s, f, tz),
    "resolution-times": lambda s, f, tz, now: resolution_times.resolution_times(
        s, f, tz, as_of=now
    ),
    "overdue": lambda s, f, tz, now: overdue.overdue(s, f, tz, as_of=now),
    "responsiveness": lambda s, f, tz, _: responsiveness.responsiveness(s, f, tz),
    "responsiveness/team": lambda s, f, tz, _: responsiveness.team(s, f, tz),
    "resolution-histogram": lambda s, f, tz, _: resolution_histogram.resolution_histogram(s, f, tz),
    "sla": lambda s, f, tz, now: state.sla_block(s, f, tz, as_of=now),
    "sla-breaches": lambda s, f, tz, now: state.breaches(
        s, f, tz, which="breached", target="resolution", as_of=now
    ),
    "sla/breakdown?by=team_member": lambda s, f, tz, now: breakdown.breakdown(
        s, f, tz, by="team_member", as_of=now
    ),
    "sla/breakdown?by=client": lambda s, f, tz, now: breakdown.breakdown(
        s, f, tz, by="client", as_of=now
    ),
    "sla/breakdown?by=period": lambda s, f, tz, now: breakdown.breakdown(
        s, f, tz, by="period", as_of=now
    ),
}

SLA = tuple(name for name in PRODUCT if name.startswith("sla"))
"""The SLA endpoints' names (the breakdowns by the dimension in their query)."""

__all__ = ["BASELINE", "PRODUCT", "SLA", "TeamPerformance", "Widget"]
