"""A client's service report: its tickets created in a period, the median first response
time and SLA compliance per target. Every read goes through the caller's session, so for a
client user row-level security leaves only its own company's tickets, messages and SLA rows;
nothing here names a client.

Definitions as the analytics (SPEC's responsiveness): first response time = the earliest
reply (a message not from the client) minus creation, in hours, never below 0; the median is
over tickets with a reply. SLA states as `sla.state` at the instant of reading; compliance =
met / (met + breached)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from support_analytics.analytics.definitions import hours_between
from support_analytics.db.models import Ticket, TicketMessage
from support_analytics.filters.grammar import DateFilter
from support_analytics.filters.sql import date_clauses
from support_analytics.sla.schemas import SlaTarget
from support_analytics.sla.state import TARGETS, state, ticket_sla
from support_analytics.tickets.schemas import ServiceReport


def _pct(met: int, breached: int) -> float | None:
    return None if met + breached == 0 else 100.0 * met / (met + breached)


def service_report(
    session: Session, period: DateFilter | None, tz: ZoneInfo, as_of: datetime
) -> ServiceReport:
    created = date_clauses(period, Ticket.__table__.c.created_at, tz)
    first_reply = (
        select(TicketMessage.ticket_id, func.min(TicketMessage.created_at).label("at"))
        .where(TicketMessage.from_client.is_(False))
        .group_by(TicketMessage.ticket_id)
        .subquery()
    )
    frt = func.greatest(hours_between(Ticket.__table__.c.created_at, first_reply.c.at), 0.0)
    tickets, replied, median = session.execute(
        select(
            func.count(),
            func.count(first_reply.c.at),
            func.percentile_cont(0.5).within_group(frt),
        )
        .select_from(Ticket)
        .outerjoin(first_reply, first_reply.c.ticket_id == Ticket.id)
        .where(*created)
    ).one()
    s = ticket_sla.c
    per_target = state(as_of)
    counts = {
        str(target): (int(met), int(breached), int(total))
        for target, met, breached, total in session.execute(
            select(
                s.target,
                func.count().filter(per_target == "met"),
                func.count().filter(per_target == "breached"),
                func.count(),
            )
            .where(*date_clauses(period, s.created_at, tz))
            .group_by(s.target)
        )
    }
    targets: dict[str, SlaTarget] = {}
    for target in TARGETS:
        met, breached, total = counts.get(target, (0, 0, 0))
        targets[target] = SlaTarget(
            met=met,
            breached=breached,
            pending=total - met - breached,
            compliance_pct=_pct(met, breached),
        )
    return ServiceReport(
        period=None if period is None else period.format(),
        tickets=int(tickets),
        replied=int(replied),
        median_first_response_hours=None if median is None else float(median),
        first_response=targets["first_response"],
        resolution=targets["resolution"],
    )
