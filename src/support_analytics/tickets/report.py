"""A client's service report: its tickets created in a period, the median first response
time and SLA compliance per target. Every read goes through the caller's session, so for a
client user row-level security leaves only its own company's tickets, response facts and SLA
rows; nothing here names a client.

First replies come from the response facts the analytics read (`ticket_response_facts`, kept
by triggers): first response time = the earliest reply (a message not from the client) minus
creation, in hours, never below 0; the median is over tickets with a reply. SLA states as
`sla.state` at the instant of reading; compliance = met / (met + breached)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from support_analytics.db.tables import ticket_response_facts
from support_analytics.filters.grammar import DateFilter
from support_analytics.filters.sql import date_clauses
from support_analytics.sla.state import targets as sla_targets
from support_analytics.sla.state import ticket_sla
from support_analytics.tickets.schemas import ServiceReport


def service_report(
    session: Session, period: DateFilter | None, tz: ZoneInfo, as_of: datetime
) -> ServiceReport:
    facts = ticket_response_facts.c
    tickets, replied, median = session.execute(
        select(
            func.count(),
            func.count(facts.first_reply_at),
            func.percentile_cont(0.5).within_group(facts.frt_hours),
        ).where(*date_clauses(period, facts.created_at, tz))
    ).one()
    by_target = sla_targets(session, date_clauses(period, ticket_sla.c.created_at, tz), as_of)
    return ServiceReport(
        period=None if period is None else period.format(),
        tickets=int(tickets),
        replied=int(replied),
        median_first_response_hours=None if median is None else float(median),
        first_response=by_target["first_response"],
        resolution=by_target["resolution"],
    )
