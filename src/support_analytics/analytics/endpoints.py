"""/api/v1/analytics/*: internal users only, every view under the full filter bar, JSON or
`?format=csv`. Handlers are thin: the widget functions do the work in the request's
RLS-scoped transaction."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from support_analytics.analytics import (
    clients,
    distribution,
    overdue,
    overview,
    resolution_histogram,
    resolution_times,
    responsiveness,
    rollups,
    team_performance,
    tickets_over_time,
)
from support_analytics.analytics import responsiveness_endpoints as frt_endpoints
from support_analytics.analytics.columns import (
    NUMBER_FORMS,
    TEXT_FORMS,
)
from support_analytics.analytics.schemas import (
    ClientRow,
    ClientsPage,
    HistogramBar,
    MonthPoint,
    OverduePage,
    OverdueRow,
    Overview,
    OverviewCards,
    Priorities,
    PriorityResolution,
    PriorityResponsiveness,
    PriorityRow,
    ResolutionHistogram,
    ResolutionTimes,
    Responsiveness,
    ResponsivenessTeam,
    ResponsivenessTeamRow,
    TeamPerformance,
    TeamRow,
    TicketsOverTime,
    TicketTypeRow,
    TicketTypes,
)
from support_analytics.app_settings import ReportingZone
from support_analytics.auth.dependencies import DbSession, InternalUser, Principal
from support_analytics.errors import error_responses
from support_analytics.export import bom_param, csv_response
from support_analytics.filters.grammar import FILTER_MAX
from support_analytics.filters.params import TicketFiltersParam, reject_unknown_query_params
from support_analytics.text import search_text

MAX_PAGE_SIZE = 200
DEFAULT_SORT = team_performance.DEFAULT_SORT
EVERY_ROW = 2**31 - 1  # LIMIT for a CSV export: no limit


def _internal(user: InternalUser) -> Principal:
    return user


router = APIRouter(
    prefix="/api/v1/analytics",
    tags=["analytics"],
    # Who is asking is settled before the query string is judged: 401/403 come first.
    dependencies=[Depends(_internal), Depends(reject_unknown_query_params), Depends(bom_param)],
    responses=error_responses(401, 403, 422, 503),
)


Zone = ReportingZone


def _use_rollups(db: DbSession, tz: ReportingZone) -> bool:
    # FastAPI resolves a dependency once per request: however many widgets a handler or page
    # calls, `analytics_rollup_state` is read once.
    return rollups.usable(db, tz)


UseRollups = Annotated[bool, Depends(_use_rollups)]
Format = Annotated[
    Literal["json", "csv"],
    Query(description="`csv`: the table as CSV with a header row (every row, not one page)."),
]
Page = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number.")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")]
CompareParam = Annotated[
    overview.Compare,
    Query(
        description="`previous`: the period just before (a whole month, quarter or year: "
        "the previous one); `year`: the same days one year earlier."
    ),
]
GrainParam = Annotated[
    tickets_over_time.Grain,
    Query(description="Points per `day`, `week` (Monday to Sunday) or `month`."),
]
OverTimeCompareParam = Annotated[
    overview.Compare | None,
    Query(
        description="Add the comparison period's series (`comparison`, point i against point "
        "i): `previous` or `year`, the same periods as the overview's `compare`."
    ),
]
CSV_CONTENT: dict[int | str, dict[str, object]] = {200: {"content": {"text/csv": {}}}}


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


class OverviewCsvRow(OverviewCards):
    period: str


class OverTimeCsvRow(MonthPoint):
    series: Literal["current", "comparison"]
    position: int
    """1-based: the rows of both series with the same position are drawn together."""


@router.get("/overview", response_model=Overview, responses=CSV_CONTENT)
def get_overview(
    *,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: Zone,
    fast: UseRollups,
    format: Format = "json",
    compare: CompareParam = "previous",
) -> Response:
    """Total and open tickets, mean resolution hours, CSAT (mean rating, % of 4-5 ratings,
    number of ratings). With a closed date range, `previous` holds the same cards for the
    comparison period (`previous_date`): with `compare=previous` the period just before
    (whole calendar months, quarters, years: the months before), with `compare=year` the
    same days one year earlier."""
    result = overview.overview(db, filters, tz, compare, use_rollups=fast)
    if format == "csv":
        rows = [
            OverviewCsvRow(period="current", **OverviewCards(**result.model_dump()).model_dump())
        ]
        if result.previous is not None:
            rows.append(OverviewCsvRow(period="previous", **result.previous.model_dump()))
        return csv_response("overview", OverviewCsvRow, rows)
    return _json(result)


@router.get("/tickets-over-time", response_model=TicketsOverTime, responses=CSV_CONTENT)
def get_tickets_over_time(
    *,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: Zone,
    fast: UseRollups,
    format: Format = "json",
    grain: GrainParam = "month",
    compare: OverTimeCompareParam = None,
) -> Response:
    """Tickets created (by `created_at`) and resolved (by `resolved_at`) per day, week
    (Monday to Sunday, keyed by its Monday) or month in the reporting timezone; the date
    filter applies to each series' own date. `period` names each point's period, `month` the
    month of its first day. With `compare` and a closed date range, `comparison` holds the
    same series over the comparison period (`comparison_date`), aligned by position; the CSV
    then has both, told apart by `series` and `position`."""
    result = tickets_over_time.tickets_over_time(db, filters, tz, grain, use_rollups=fast)
    result = tickets_over_time.with_comparison(db, result, filters, tz, compare, use_rollups=fast)
    if format == "csv" and result.comparison is not None:
        rows = [
            OverTimeCsvRow(series=name, position=i, **point.model_dump())
            for name, points in (("current", result.series), ("comparison", result.comparison))
            for i, point in enumerate(points, start=1)
        ]
        return csv_response("tickets-over-time", OverTimeCsvRow, rows)
    if format == "csv":
        return csv_response("tickets-over-time", MonthPoint, result.series)
    return _json(result)


@router.get("/team-performance", response_model=TeamPerformance, responses=CSV_CONTENT)
def get_team_performance(
    *,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: Zone,
    fast: UseRollups,
    sort: Annotated[
        str,
        Query(
            description="Column to sort by, `-` prefix for descending (NULLs last): "
            + ", ".join(team_performance.SORT_COLUMNS),
            examples=["-tickets_resolved", "name", "-avg_rating"],
            max_length=FILTER_MAX,
        ),
    ] = DEFAULT_SORT,
    name: Annotated[
        str | None,
        Query(
            description="Name: " + TEXT_FORMS, examples=["contains:smith"], max_length=FILTER_MAX
        ),
    ] = None,
    status: Annotated[
        str | None,
        Query(
            description="Team member status: " + TEXT_FORMS,
            examples=["is:active"],
            max_length=FILTER_MAX,
        ),
    ] = None,
    tickets_assigned: Annotated[
        str | None,
        Query(
            description=NUMBER_FORMS, examples=["gte:100", "between:10,50"], max_length=FILTER_MAX
        ),
    ] = None,
    tickets_resolved: Annotated[
        str | None, Query(description=NUMBER_FORMS, examples=["lte:20"], max_length=FILTER_MAX)
    ] = None,
    avg_resolution_hours: Annotated[
        str | None,
        Query(description=NUMBER_FORMS, examples=["between:12,24"], max_length=FILTER_MAX),
    ] = None,
    avg_rating: Annotated[
        str | None, Query(description=NUMBER_FORMS, examples=["gte:4"], max_length=FILTER_MAX)
    ] = None,
    format: Format = "json",
) -> Response:
    """Every team member the filter admits (0 tickets included): assigned, resolved (status
    resolved or closed), mean resolution hours and mean rating of the filtered tickets;
    sortable and filterable by every column. `top_performer_ids` marks up to three members
    who resolved more tickets than the median of the rows shown."""
    # The same parser as the page's, so both read a team-table address the same way.
    query = team_performance.team_table_query(
        {
            "sort": sort,
            "name": name,
            "status": status,
            "tickets_assigned": tickets_assigned,
            "tickets_resolved": tickets_resolved,
            "avg_resolution_hours": avg_resolution_hours,
            "avg_rating": avg_rating,
        }
    )
    result = team_performance.team_performance(db, filters, tz, query, use_rollups=fast)
    if format == "csv":
        return csv_response("team-performance", TeamRow, result.rows)
    return _json(result)


@router.get("/ticket-types", response_model=TicketTypes, responses=CSV_CONTENT)
def get_ticket_types(
    db: DbSession, filters: TicketFiltersParam, tz: Zone, fast: UseRollups, format: Format = "json"
) -> Response:
    """Tickets per type (every type the filter admits), count and percentage of the total."""
    result = distribution.ticket_types_chart(db, filters, tz, use_rollups=fast)
    if format == "csv":
        return csv_response("ticket-types", TicketTypeRow, result.rows)
    return _json(result)


@router.get("/priorities", response_model=Priorities, responses=CSV_CONTENT)
def get_priorities(
    db: DbSession, filters: TicketFiltersParam, tz: Zone, fast: UseRollups, format: Format = "json"
) -> Response:
    """Tickets per priority (low, medium, high, urgent): open (open, in_progress), closed
    (resolved, closed) and total."""
    result = distribution.priorities(db, filters, tz, use_rollups=fast)
    if format == "csv":
        return csv_response("priorities", PriorityRow, result.rows)
    return _json(result)


@router.get("/clients", response_model=ClientsPage, responses=CSV_CONTENT)
def get_clients(
    *,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: Zone,
    fast: UseRollups,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Client name contains (case-insensitive).",
            examples=["corp"],
        ),
    ] = None,
    page: Page = 1,
    page_size: PageSize = clients.DEFAULT_PAGE_SIZE,
    format: Format = "json",
) -> Response:
    """Clients ranked by filtered ticket volume: plan, total and open tickets, net spend
    (completed payments plus refunds; failed and pending excluded), last ticket date."""
    if format == "csv":
        every = clients.client_analysis(
            db, filters, tz, q=search_text(q), page=1, page_size=EVERY_ROW, use_rollups=fast
        )
        return csv_response("clients", ClientRow, every.rows)
    return _json(
        clients.client_analysis(
            db,
            filters,
            tz,
            q=search_text(q),
            page=page,
            page_size=page_size,
            use_rollups=fast,
        )
    )


@router.get("/resolution-times", response_model=ResolutionTimes, responses=CSV_CONTENT)
def get_resolution_times(
    db: DbSession, filters: TicketFiltersParam, tz: Zone, fast: UseRollups, format: Format = "json"
) -> Response:
    """Per priority: min, q1, median, q3, p90 (continuous percentiles), max, mean hours from
    creation to resolution and count; `overdue_count` as in /overdue."""
    result = resolution_times.resolution_times(db, filters, tz, use_rollups=fast)
    if format == "csv":
        return csv_response("resolution-times", PriorityResolution, result.by_priority)
    return _json(result)


@router.get("/overdue", response_model=OverduePage, responses=CSV_CONTENT)
def get_overdue(
    *,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: Zone,
    fast: UseRollups,
    page: Page = 1,
    page_size: PageSize = overdue.DEFAULT_PAGE_SIZE,
    format: Format = "json",
) -> Response:
    """Tickets resolved later than their type's `avg_resolution_hours`, or open and already
    older than it; most hours over first, with expected and actual hours."""
    if format == "csv":
        every = overdue.overdue(db, filters, tz, page=1, page_size=EVERY_ROW, use_rollups=fast)
        return csv_response("overdue", OverdueRow, every.rows)
    return _json(overdue.overdue(db, filters, tz, page=page, page_size=page_size, use_rollups=fast))


@router.get("/resolution-histogram", response_model=ResolutionHistogram, responses=CSV_CONTENT)
def get_resolution_histogram(
    db: DbSession, filters: TicketFiltersParam, tz: Zone, fast: UseRollups, format: Format = "json"
) -> Response:
    """Resolved tickets (creation to resolution) per bar of hours, log-scaled: a bar's edges
    are hours where hours + 1 is a power of the square root of 2 (0, 0.4, 1, 1.8, 3, 4.7, 7,
    ...), `upper_hours` null for the open-ended last bar (1,023 h and more). Bars run up to
    the last one holding a ticket, eight at least. CSV: one row per bar."""
    result = resolution_histogram.resolution_histogram(db, filters, tz, use_rollups=fast)
    if format == "csv":
        return csv_response("resolution-histogram", HistogramBar, result.bars)
    return _json(result)


class ResponsivenessCsvRow(PriorityResponsiveness):
    """CSV of /responsiveness: the per-priority rows and an `all` row for the cards."""


@router.get(
    "/responsiveness",
    response_model=Responsiveness,
    responses=frt_endpoints.RESPONSIVENESS_RESPONSES,
)
def get_responsiveness(
    db: DbSession, filters: TicketFiltersParam, tz: Zone, format: Format = "json"
) -> Response:
    """First response time (first reply minus creation, hours, never below 0) over tickets
    with a reply: count, median and p90 (continuous percentiles), mean; open tickets awaiting
    a first reply; one-touch (resolved or closed with exactly one reply). Overall and per
    priority. The date filter is on the ticket's creation day. CSV: one row per priority
    plus `all`."""
    result = responsiveness.responsiveness(db, filters, tz)
    if format == "csv":
        rows = [
            ResponsivenessCsvRow(priority="all", **result.first_response.model_dump()),
            *(ResponsivenessCsvRow(**row.model_dump()) for row in result.by_priority),
        ]
        return csv_response("responsiveness", ResponsivenessCsvRow, rows)
    return _json(result)


@router.get(
    "/responsiveness/team",
    response_model=ResponsivenessTeam,
    responses=frt_endpoints.TEAM_RESPONSES,
)
def get_responsiveness_team(
    db: DbSession, filters: TicketFiltersParam, tz: Zone, format: Format = "json"
) -> Response:
    """Every team member the filter admits: first replies on the tickets assigned to them
    and the median first response time of those tickets."""
    result = responsiveness.team(db, filters, tz)
    if format == "csv":
        return csv_response("responsiveness-team", ResponsivenessTeamRow, result.rows)
    return _json(result)
