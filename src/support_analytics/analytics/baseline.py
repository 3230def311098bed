"""Plain SQL over the raw tables, per endpoint: what `bench` compares the product against
(the same answers, computed the straightforward way). The tests keep their own oracle."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
from support_analytics.sla.plain import plain_sla

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


@dataclass(frozen=True)
class Readers:
    """One endpoint's two implementations of the same answer, called alike: the product's
    reader (the rollups when they answer the filter, else the rows) and plain SQL over the
    raw tables. `bench` times `raw` beside `product`; tests/analytics/test_bench.py checks
    they agree on random bars."""

    product: Widget
    raw: Widget


def _breakdown(by: breakdown.By) -> Readers:
    return Readers(
        product=lambda s, f, tz, now: breakdown.breakdown(s, f, tz, by=by, as_of=now),
        raw=lambda s, f, tz, now: breakdown.from_rows(
            s, f, tz, by=by, as_of=now, source=plain_sla()
        ),
    )


# The SLA endpoints' plain SQL counts and sorts `ticket_sla`'s rows computed from the raw
# tables on every call (`sla.plain`: tickets, first replies, plans, the winning policy row);
# business due times call the schema's `business_due` over the calendar's boundary rows, as
# nothing shorter than a minute walk computes business time in plain SQL.
READERS: Mapping[str, Readers] = {
    "overview": Readers(lambda s, f, tz, _: overview.overview(s, f, tz), _overview),
    "tickets-over-time": Readers(
        lambda s, f, tz, _: tickets_over_time.tickets_over_time(s, f, tz),
        lambda s, f, tz, _: tickets_over_time.from_tickets(s, f, tz),
    ),
    "team-performance": Readers(
        lambda s, f, tz, _: team_performance.team_performance(s, f, tz), _team
    ),
    "ticket-types": Readers(
        lambda s, f, tz, _: distribution.ticket_types_chart(s, f, tz),
        lambda s, f, tz, _: distribution.ticket_types_from_tickets(s, f, tz),
    ),
    "priorities": Readers(
        lambda s, f, tz, _: distribution.priorities(s, f, tz),
        lambda s, f, tz, _: distribution.priorities_from_tickets(s, f, tz),
    ),
    "clients": Readers(
        lambda s, f, tz, _: clients.client_analysis(s, f, tz),
        lambda s, f, tz, _: clients.clients_from_tickets(s, f, tz),
    ),
    "resolution-times": Readers(
        lambda s, f, tz, now: resolution_times.resolution_times(s, f, tz, as_of=now),
        _resolution,
    ),
    "overdue": Readers(
        lambda s, f, tz, now: overdue.overdue(s, f, tz, as_of=now),
        lambda s, f, tz, now: overdue.overdue_from_tickets(s, f, tz, as_of=now),
    ),
    "responsiveness": Readers(
        lambda s, f, tz, _: responsiveness.responsiveness(s, f, tz),
        lambda s, f, tz, _: responsiveness.from_tickets(s, f, tz),
    ),
    "responsiveness/team": Readers(
        lambda s, f, tz, _: responsiveness.team(s, f, tz),
        lambda s, f, tz, _: responsiveness.team_from_tickets(s, f, tz),
    ),
    "resolution-histogram": Readers(
        lambda s, f, tz, _: resolution_histogram.resolution_histogram(s, f, tz),
        lambda s, f, tz, _: resolution_histogram.from_tickets(s, f, tz),
    ),
    "sla": Readers(
        lambda s, f, tz, now: state.sla_block(s, f, tz, as_of=now),
        lambda s, f, tz, now: state.sla_block_from_rows(s, f, tz, as_of=now, source=plain_sla()),
    ),
    "sla-breaches": Readers(
        lambda s, f, tz, now: state.breaches(
            s, f, tz, which="breached", target="resolution", as_of=now
        ),
        lambda s, f, tz, now: state.breaches_from_rows(
            s, f, tz, which="breached", target="resolution", as_of=now, source=plain_sla()
        ),
    ),
    "sla/breakdown?by=team_member": _breakdown("team_member"),
    "sla/breakdown?by=client": _breakdown("client"),
    "sla/breakdown?by=period": _breakdown("period"),
}
"""Every endpoint `bench` measures, by the name its URL takes under /api/v1/analytics/."""

SLA = tuple(name for name in READERS if name.startswith("sla"))
"""The SLA endpoints' names (the breakdowns by the dimension in their query)."""

__all__ = ["READERS", "SLA", "Readers", "TeamPerformance", "Widget"]
