"""Result models of the analytics widgets; field names are SPEC section 6's, exactly.
Hours are floats, money a decimal string, times ISO 8601 with the reporting zone's offset."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from support_analytics.sla.schemas import SlaBlock


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class OverviewCards(_Result):
    total_tickets: int
    open_tickets: int
    avg_resolution_hours: float | None
    csat_avg: float | None
    csat_satisfied_pct: float | None
    feedback_count: int


class Overview(OverviewCards):
    compare: Literal["previous", "year"] = "previous"
    """What `previous` compares with: the period just before (whole calendar months: the
    months before) or the same days one year earlier."""
    previous: OverviewCards | None = None
    """The same cards over the comparison period of a closed date range."""
    previous_date: str | None = None
    """That period in the `date` grammar (concrete days), for links to it."""


class MonthPoint(_Result):
    month: str
    """The month of the period's first day (`YYYY-MM`)."""
    created: int
    resolved: int
    period: str = ""
    """The period: `YYYY-MM` by month, its Monday `YYYY-MM-DD` by week, the day by day."""


class TicketsOverTime(_Result):
    series: list[MonthPoint]
    grain: Literal["day", "week", "month"] = "month"
    compare: Literal["previous", "year"] | None = None
    """The comparison asked for (`compare=`); None without one."""
    comparison: list[MonthPoint] | None = None
    """The comparison period's series, the same grain and filters: point i is the i-th day,
    week or month of that period, drawn against `series[i]`. None without `compare` or
    without a closed date range; its length may differ (a quarter of 90 days against 91)."""
    comparison_date: str | None = None
    """The comparison period in the date grammar (concrete days)."""


class TeamRow(_Result):
    team_member_id: int
    name: str
    tickets_assigned: int
    tickets_resolved: int
    avg_resolution_hours: float | None
    avg_rating: float | None
    status: str | None


class TeamPerformance(_Result):
    rows: list[TeamRow]
    top_performer_ids: list[int]
    """Up to three members with the most resolved tickets (ties: better rating), highlighted."""


class TicketTypeRow(_Result):
    ticket_type_id: int
    name: str
    count: int
    pct: float | None


class TicketTypes(_Result):
    rows: list[TicketTypeRow]


class PriorityRow(_Result):
    priority: str
    open: int
    closed: int
    total: int


class Priorities(_Result):
    rows: list[PriorityRow]


class ClientRow(_Result):
    client_id: int
    name: str
    plan_type: str | None
    total_tickets: int
    open_tickets: int
    total_spent: Decimal
    last_ticket_at: datetime | None


class ClientsPage(_Result):
    rows: list[ClientRow]
    page: int
    page_size: int
    total: int


class PriorityResolution(_Result):
    priority: str
    count: int
    min_hours: float | None
    q1_hours: float | None
    median_hours: float | None
    q3_hours: float | None
    p90_hours: float | None
    max_hours: float | None
    avg_hours: float | None


class ResolutionTimes(_Result):
    by_priority: list[PriorityResolution]
    overdue_count: int


class HistogramBar(_Result):
    label: str
    """The bar's own edges, e.g. `1-1.8 h`; the last bar is open-ended (`1,023+ h`)."""
    lower_hours: float
    upper_hours: float | None
    """None for the open-ended last bar."""
    count: int


class ResolutionHistogram(_Result):
    bars: list[HistogramBar]


class OverdueRow(_Result):
    ticket_id: int
    title: str
    client_id: int
    status: str | None
    priority: str | None
    ticket_type_id: int
    ticket_type: str
    assigned_to: int | None
    created_at: datetime | None
    resolved_at: datetime | None
    expected_hours: float
    actual_hours: float
    overdue_hours: float


class OverduePage(_Result):
    rows: list[OverdueRow]
    page: int
    page_size: int
    total: int


class FirstResponse(_Result):
    count: int
    """Tickets with a first reply (the FRT statistics are over these)."""
    awaiting: int
    """Open tickets with no reply yet."""
    median_hours: float | None
    p90_hours: float | None
    avg_hours: float | None


class PriorityResponsiveness(_Result):
    priority: str
    count: int
    awaiting: int
    median_hours: float | None
    p90_hours: float | None
    avg_hours: float | None


class OneTouch(_Result):
    resolved: int
    one_touch: int
    pct: float | None


class Responsiveness(_Result):
    first_response: FirstResponse
    by_priority: list[PriorityResponsiveness]
    one_touch: OneTouch
    sla: SlaBlock | None = None
    """SLA states per target (null only where a caller builds the model itself)."""


class ResponsivenessTeamRow(_Result):
    team_member_id: int
    name: str
    first_replies: int
    median_first_response_hours: float | None


class ResponsivenessTeam(_Result):
    rows: list[ResponsivenessTeamRow]
