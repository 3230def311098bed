"""A rule's value, computed by the same analytics functions the dashboard and the API call,
in a transaction running under the rule owner's request role (RLS decides what it counts).
No metric has a second definition here: each is one call into analytics/, sla/ or tickets/."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from support_analytics.alerts.rules import Metric, Rule, parse_filters, window_filter
from support_analytics.analytics import overview, rollups
from support_analytics.analytics.responsiveness import responsiveness
from support_analytics.filters.grammar import SetFilter, SetOp
from support_analytics.filters.model import TicketFilters
from support_analytics.sla import state as sla_state
from support_analytics.tickets.list_filters import ListFilters
from support_analytics.tickets.queries import TicketQuery, list_tickets

UNASSIGNED: SetFilter[int | None] = SetFilter(SetOp.IS, (None,))


def rule_filters(rule: Rule, today: dt.date) -> TicketFilters:
    """The filter bar the metric is computed over: the rule's, with the window as its date
    (windowed metrics) or `team_member=is:unassigned` (unassigned_open)."""
    filters = parse_filters(rule.filters, today)
    if rule.window_days is not None:
        filters = filters.with_date(window_filter(rule.window_days, today))
    if rule.metric is Metric.UNASSIGNED_OPEN:
        filters = replace(filters, team_member=UNASSIGNED)
    return filters


def _awaiting_reply(session: Session, filters: TicketFilters, tz: ZoneInfo) -> int:
    """The inbox's `awaiting=reply` list (open, the client wrote last): its total."""
    query = TicketQuery(
        filters=filters, narrowing=ListFilters(awaiting="reply"), zone=tz, page_size=1
    )
    return list_tickets(session, query).total


def value(
    session: Session, rule: Rule, tz: ZoneInfo, *, today: dt.date | None = None
) -> float | None:
    """The metric now, for the tickets the session's role may read; None when there is
    nothing to measure (a median or a mean over no tickets)."""
    day = today or dt.datetime.now(tz).date()
    filters = rule_filters(rule, day)
    metric = rule.metric
    if metric in (Metric.OPEN_TICKETS, Metric.UNASSIGNED_OPEN, Metric.NEW_TICKETS, Metric.CSAT):
        cards = overview.cards(session, filters, tz, rollups.use_rollups(session, tz, None))
        if metric is Metric.NEW_TICKETS:
            return float(cards.total_tickets)
        if metric is Metric.CSAT:
            return cards.csat_avg
        return float(cards.open_tickets)
    if metric in (Metric.AWAITING_FIRST_REPLY, Metric.MEDIAN_FRT_HOURS):
        first = responsiveness(session, filters, tz).first_response
        return (
            float(first.awaiting) if metric is Metric.AWAITING_FIRST_REPLY else first.median_hours
        )
    if metric is Metric.AWAITING_REPLY:
        return float(_awaiting_reply(session, filters, tz))
    which: sla_state.BreachState = "at_risk" if metric is Metric.SLA_AT_RISK else "breached"
    page = sla_state.breaches(
        session, filters, tz, which=which, target=rule.sla_target or "first_response", page_size=1
    )
    return float(page.total)
