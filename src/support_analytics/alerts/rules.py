"""What a rule is: a metric, the filter bar's query string, a comparator and a threshold, plus
the window (days) of the windowed metrics and the SLA target of the SLA metrics. Checked here
once, for the API, the page and the evaluator alike; a bad value is a 422 naming its field."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Literal
from urllib.parse import parse_qsl, urlencode

from support_analytics.errors import InvalidInput
from support_analytics.filters.grammar import DateFilter
from support_analytics.filters.model import TicketFilters
from support_analytics.text import CONTROL_CHARACTERS, is_clean


class Metric(StrEnum):
    OPEN_TICKETS = "open_tickets"
    UNASSIGNED_OPEN = "unassigned_open"
    AWAITING_FIRST_REPLY = "awaiting_first_reply"
    AWAITING_REPLY = "awaiting_reply"
    SLA_AT_RISK = "sla_at_risk"
    SLA_BREACHED = "sla_breached"
    MEDIAN_FRT_HOURS = "median_frt_hours"
    CSAT = "csat"
    NEW_TICKETS = "new_tickets"


# Metrics over the tickets created in the last `window_days` days (today included, in the
# reporting timezone): the window is their date filter, so the rule's filter has none.
WINDOWED = frozenset(
    {Metric.SLA_BREACHED, Metric.MEDIAN_FRT_HOURS, Metric.CSAT, Metric.NEW_TICKETS}
)
SLA_METRICS = frozenset({Metric.SLA_AT_RISK, Metric.SLA_BREACHED})
LABELS: dict[Metric, str] = {
    Metric.OPEN_TICKETS: "Open tickets",
    Metric.UNASSIGNED_OPEN: "Unassigned open tickets",
    Metric.AWAITING_FIRST_REPLY: "Open tickets awaiting a first reply",
    Metric.AWAITING_REPLY: "Open tickets awaiting a reply",
    Metric.SLA_AT_RISK: "Tickets at risk of breaching their SLA (due within 1 h)",
    Metric.SLA_BREACHED: "SLA breaches among tickets created in the window",
    Metric.MEDIAN_FRT_HOURS: "Median first response time (hours) over the window",
    Metric.CSAT: "Customer satisfaction (mean rating 1-5) over the window",
    Metric.NEW_TICKETS: "New tickets in the window",
}

Comparator = Literal[">", ">=", "<", "<="]
COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
SlaTarget = Literal["first_response", "resolution"]

NAME_MAX = 80
FILTERS_MAX = 2000
WINDOW_MAX_DAYS = 366
COOLDOWN_MAX_MINUTES = 7 * 24 * 60
THRESHOLD_MAX = 1e9
FILTER_NAMES = tuple(f.name for f in fields(TicketFilters))


@dataclass(frozen=True)
class Rule:
    id: int
    owner_id: int
    name: str
    metric: Metric
    filters: str
    comparator: Comparator
    threshold: float
    window_days: int | None
    sla_target: SlaTarget | None
    cooldown_minutes: int
    webhook_id: int | None
    muted_until: datetime | None

    def crossed(self, value: float | None) -> bool:
        """Whether `value` is on the alerting side of the threshold (no value never is)."""
        return value is not None and COMPARATORS[self.comparator](value, self.threshold)

    def describe(self) -> str:
        window = f" over the last {self.window_days} days" if self.window_days else ""
        return f"{self.metric.value}{window} {self.comparator} {self.threshold:g}"


def parse_metric(text: str) -> Metric:
    for metric in Metric:
        if metric.value == text:
            return metric
    accepted = ", ".join(m.value for m in Metric)
    raise InvalidInput(f"metric: unknown metric {text!r}. Accepted: {accepted}", field="metric")


def parse_comparator(text: str) -> Comparator:
    if text == ">":
        return ">"
    if text == ">=":
        return ">="
    if text == "<":
        return "<"
    if text == "<=":
        return "<="
    raise InvalidInput(f"comparator: {text!r}. Accepted: >, >=, <, <=", field="comparator")


def clean_name(name: str) -> str:
    if not is_clean(name):
        raise InvalidInput(f"name: {CONTROL_CHARACTERS}", field="name")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("name: must not be empty", field="name")
    if len(cleaned) > NAME_MAX:
        raise InvalidInput(f"name: at most {NAME_MAX} characters", field="name")
    return cleaned


def filter_params(query: str) -> dict[str, str]:
    """The filter query string as parameters; unknown or repeated names are a 422 naming
    `filters` (the parameter at fault in the message)."""
    if len(query) > FILTERS_MAX:
        raise InvalidInput(f"filters: at most {FILTERS_MAX} characters", field="filters")
    if not is_clean(query):
        raise InvalidInput(f"filters: {CONTROL_CHARACTERS}", field="filters")
    params: dict[str, str] = {}
    for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if name not in FILTER_NAMES:
            raise InvalidInput(
                f"filters: unknown parameter {name!r}. Accepted: {', '.join(FILTER_NAMES)}",
                field="filters",
            )
        if name in params:
            raise InvalidInput(f"filters: {name} given more than once", field="filters")
        params[name] = value
    return params


def parse_filters(query: str, today: dt.date) -> TicketFilters:
    """The rule's filter bar; a malformed value is a 422 naming `filters` and the parameter."""
    try:
        return TicketFilters.from_query(filter_params(query), today=today)
    except InvalidInput as exc:
        if exc.field == "filters":
            raise
        raise InvalidInput(f"filters: {exc.message}", field="filters") from None


def normalise_filters(query: str, today: dt.date) -> str:
    """The query string as the grammar writes it back (stable, comparable), relative dates
    kept relative."""
    return urlencode(parse_filters(query, today).to_params(), safe=":,")


def window_filter(days: int, today: dt.date) -> DateFilter:
    """The last `days` days, today included."""
    return DateFilter.between(today - dt.timedelta(days=days - 1), today)


def check_shape(
    *,
    metric: Metric,
    filters: TicketFilters,
    window_days: int | None,
    sla_target: SlaTarget | None,
) -> tuple[int | None, SlaTarget | None]:
    """The window and SLA target a metric needs (defaults filled in); refuses what it cannot
    use. Returns the (window_days, sla_target) to store."""
    if metric in WINDOWED:
        if filters.date is not None:
            raise InvalidInput(
                "filters: a windowed metric takes its dates from window_days; remove date",
                field="filters",
            )
        window_days = window_days or 7
    elif window_days is not None:
        raise InvalidInput(
            f"window_days: {metric.value} counts tickets open now and takes no window",
            field="window_days",
        )
    if metric is Metric.UNASSIGNED_OPEN and filters.team_member is not None:
        raise InvalidInput(
            "filters: unassigned_open fixes team_member to unassigned; remove team_member",
            field="filters",
        )
    if metric in SLA_METRICS:
        sla_target = sla_target or "first_response"
    elif sla_target is not None:
        raise InvalidInput(
            f"sla_target: only the SLA metrics take a target, not {metric.value}",
            field="sla_target",
        )
    return window_days, sla_target
