"""The six analytics views (SPEC section 4, items 1-6): server-rendered pages sharing one filter
bar, each also answering htmx with just its content region.

A request with `HX-Target: view` (the filter bar, sort headers, column filters) gets the view
fragment plus the chips and freshness line out of band; `HX-Target: <view>-results` (client
search, overdue pagination) gets only that list; anything else, including htmx's history
restore, gets the whole page. The address always holds the whole state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from support_analytics.analytics import (
    clients,
    distribution,
    overdue,
    overview,
    resolution_histogram,
    resolution_times,
    team_performance,
    tickets_over_time,
)
from support_analytics.analytics.endpoints import (
    CompareParam,
    GrainParam,
    OverTimeCompareParam,
    UseRollups,
)
from support_analytics.analytics.team_performance import (
    TeamTableQuery,
)
from support_analytics.app_settings import ReportingZone
from support_analytics.auth.dependencies import DbSession, InternalUser
from support_analytics.filters import TicketFilters
from support_analytics.filters.params import TicketFiltersParam, reject_unknown_query_params
from support_analytics.tenancy.claims import Principal
from support_analytics.text import search_text
from support_analytics.views import endpoints as saved_views
from support_analytics.web.pages import dashboard_views as views
from support_analytics.web.pages.dashboard_filterbar import (
    DATE_OPERATORS,
    SET_OPERATORS,
    Names,
    ViewState,
    chips,
    controls,
    redirect_plain_form,
    sentence,
)
from support_analytics.web.pages.dashboard_links import tickets_url
from support_analytics.web.templating import templates

router = APIRouter(
    prefix="/dashboard",
    tags=["pages"],
    include_in_schema=False,
    dependencies=[Depends(redirect_plain_form), Depends(reject_unknown_query_params)],
)

CLIENTS_PAGE_SIZE = 20
OVERDUE_PAGE_SIZE = 20
PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page")]


@dataclass(frozen=True)
class View:
    key: str
    path: str
    title: str

    @property
    def template(self) -> str:
        return f"dashboard/_{self.key}.html"


OVERVIEW = View("overview", "/dashboard", "Overview")
OVER_TIME = View("over_time", "/dashboard/over-time", "Tickets over time")
TEAM = View("team", "/dashboard/team", "Team performance")
DISTRIBUTION = View("distribution", "/dashboard/distribution", "Distribution")
CLIENTS = View("clients", "/dashboard/clients", "Clients")
RESOLUTION = View("resolution", "/dashboard/resolution", "Resolution times")
RESPONSIVENESS = View("responsiveness", "/dashboard/responsiveness", "Responsiveness")
SLAS = View("sla", "/dashboard/sla", "SLAs")
VIEWS = (OVERVIEW, OVER_TIME, TEAM, DISTRIBUTION, CLIENTS, RESOLUTION, RESPONSIVENESS, SLAS)


def _extra(request: Request, keys: tuple[str, ...]) -> dict[str, str]:
    return {key: request.query_params[key] for key in keys if request.query_params.get(key)}


def _swap_target(request: Request) -> str | None:
    """The region an htmx request will swap (None: a whole page, history restores included)."""
    if request.headers.get("HX-Request") != "true":
        return None
    if request.headers.get("HX-History-Restore-Request") == "true":
        return None
    return request.headers.get("HX-Target")


def _render(
    request: Request,
    view: View,
    *,
    db: DbSession,
    user: Principal,
    filters: TicketFilters,
    extra: Mapping[str, str],
    context: dict[str, object],
    results: str | None = None,
) -> Response:
    names = Names.load(db)
    state = ViewState(view.path, filters, dict(extra))
    date, set_controls = controls(filters, names)
    page_context: dict[str, object] = {
        "principal": user,
        "view": view,
        "tabs": VIEWS,
        "state": state,
        "date": date,
        "set_controls": set_controls,
        "date_operators": DATE_OPERATORS,
        "set_operators": SET_OPERATORS,
        "chips": chips(state, names),
        "clear_url": saved_views.explicit(state.url(filters=TicketFilters(), page=None)),
        "as_of": datetime.now(UTC),
        "description": sentence(filters, names),
        "names": names,
        "filters": filters,
        "tickets_url": tickets_url,
        **context,
    }
    target = _swap_target(request)
    if results is not None and target == f"{results}-results":
        template = f"dashboard/_{view.key}_results.html"
    elif target in ("view", "team-rows"):  # team column filters select their rows from it
        template = "dashboard/_swap.html"
    else:
        template = "dashboard/page.html"
    response = templates.TemplateResponse(request, template, page_context)
    # Fragments and pages share URLs: never let a cache hand one out for the other.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "HX-Request, HX-Target, HX-History-Restore-Request"
    return response


@router.get("", name="dashboard_overview")
def overview_page(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    fast: UseRollups,
    compare: CompareParam = "previous",
) -> Response:
    opened = saved_views.default_view_redirect(request, db, user)
    if opened is not None:
        return opened
    result = overview.overview(db, filters, tz, compare, use_rollups=fast)
    context: dict[str, object] = {
        "result": result,
        "cards": views.overview_cards(result, filters),
        "previous_date": result.previous_date,
        "comparison": views.comparison_sentence(result),
        "compare_modes": overview.COMPARE_MODES,
        "compare_labels": views.COMPARE_LABELS,
        "empty": result.total_tickets == 0,
        "api": views.api_url(
            "overview", filters, compare=None if compare == "previous" else compare
        ),
    }
    return _render(
        request,
        OVERVIEW,
        db=db,
        user=user,
        filters=filters,
        extra=_extra(request, ("compare",)),
        context=context,
    )


@router.get("/", include_in_schema=False)
def overview_slash(request: Request) -> Response:
    query = request.url.query
    return RedirectResponse("/dashboard" + (f"?{query}" if query else ""), status_code=308)


@router.get("/over-time", name="dashboard_over_time")
def over_time_page(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    fast: UseRollups,
    grain: GrainParam = "month",
    compare: OverTimeCompareParam = None,
) -> Response:
    result = tickets_over_time.tickets_over_time(db, filters, tz, grain, use_rollups=fast)
    result = tickets_over_time.with_comparison(db, result, filters, tz, compare, use_rollups=fast)
    context: dict[str, object] = {
        "result": result,
        "chart": views.over_time_chart(result, filters),
        "month_links": views.month_links(result, filters),
        "period_label": views.period_label,
        "grains": tickets_over_time.GRAINS,
        "compare_modes": overview.COMPARE_MODES,
        "compare_labels": views.COMPARE_LABELS,
        "comparison_rows": views.comparison_rows(result),
        "comparison_days": views.days_text(result.comparison_date or ""),
        "empty": not any(p.created or p.resolved for p in result.series),
        "api": views.api_url(
            "tickets-over-time",
            filters,
            grain=None if grain == "month" else grain,
            compare=compare,
        ),
    }
    return _render(
        request,
        OVER_TIME,
        db=db,
        user=user,
        filters=filters,
        extra=_extra(request, ("grain", "compare")),
        context=context,
    )


TEAM_KEYS = team_performance.TABLE_PARAMETERS


def _team_query(request: Request) -> TeamTableQuery:
    return team_performance.team_table_query(request.query_params)


def _team_columns(state: ViewState, query: TeamTableQuery) -> list[views.Column]:
    columns: list[views.Column] = []
    for key, label, numeric in views.TEAM_COLUMNS:
        active = query.sort == key
        # First click sorts numbers high-to-low and text A-Z; the next click flips it.
        descending_next = (not query.descending) if active else numeric
        sort_value = f"-{key}" if descending_next else key
        columns.append(
            views.Column(
                key=key,
                label=label,
                numeric=numeric,
                sort_url=state.url(sort=sort_value),
                sorted=("descending" if query.descending else "ascending") if active else None,
            )
        )
    return columns


def _column_filtered(query: TeamTableQuery) -> bool:
    return query.name is not None or query.status is not None or bool(query.ranges)


@router.get("/team", name="dashboard_team")
def team_page(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    fast: UseRollups,
    sort: Annotated[str | None, Query(description="column, or -column for descending")] = None,
    name: Annotated[str | None, Query(description="contains:TEXT or is:TEXT")] = None,
    status: Annotated[str | None, Query(description="is:TEXT or contains:TEXT")] = None,
    tickets_assigned: Annotated[str | None, Query()] = None,
    tickets_resolved: Annotated[str | None, Query()] = None,
    avg_resolution_hours: Annotated[str | None, Query()] = None,
    avg_rating: Annotated[str | None, Query()] = None,
) -> Response:
    query = _team_query(request)
    result = team_performance.team_performance(db, filters, tz, query, use_rollups=fast)
    extra = _extra(request, TEAM_KEYS)
    state = ViewState(TEAM.path, filters, extra)
    statuses = sorted({row.status for row in result.rows if row.status})
    context: dict[str, object] = {
        "result": result,
        "columns": _team_columns(state, query),
        "query": query,
        "ranges": {column: bounds for column, bounds in query.ranges.items()},
        "statuses": statuses or ["active", "inactive"],
        "row_links": views.team_row_links(result, filters),
        "top": set(result.top_performer_ids),
        # Column filters can hide every row; only the filter bar makes "no tickets match".
        "empty": views.team_totals(result) == 0 and not _column_filtered(query),
        "csv": views.api_url("team-performance", filters, **extra, format="csv"),
        "api": views.api_url("team-performance", filters, **extra),
        "team_state": {k: v for k, v in extra.items() if k == "sort"},
    }
    return _render(
        request,
        TEAM,
        db=db,
        user=user,
        filters=filters,
        extra=extra,
        context=context,
    )


@router.get("/distribution", name="dashboard_distribution")
def distribution_page(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    fast: UseRollups,
) -> Response:
    types = distribution.ticket_types_chart(db, filters, tz, use_rollups=fast)
    priorities = distribution.priorities(db, filters, tz, use_rollups=fast)
    context: dict[str, object] = {
        "types": types,
        "priorities": priorities,
        "type_chart": views.type_chart(types, filters),
        "priority_chart": views.priority_chart(priorities, filters),
        "empty": sum(row.count for row in types.rows) == 0,
        "types_csv": views.api_url("ticket-types", filters, format="csv"),
        "priorities_csv": views.api_url("priorities", filters, format="csv"),
    }
    return _render(
        request,
        DISTRIBUTION,
        db=db,
        user=user,
        filters=filters,
        extra={},
        context=context,
    )


@router.get("/clients", name="dashboard_clients")
def clients_page(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    fast: UseRollups,
    q: Annotated[str | None, Query(max_length=100, description="client name contains")] = None,
    page: PageNumber = 1,
) -> Response:
    search = search_text(q)
    result = clients.client_analysis(
        db,
        filters,
        tz,
        q=search,
        page=page,
        page_size=CLIENTS_PAGE_SIZE,
        use_rollups=fast,
    )
    extra = _extra(request, ("q", "page"))
    pages = max(1, -(-result.total // result.page_size))
    context: dict[str, object] = {
        "result": result,
        "q": search or "",
        "pages": pages,
        "empty": result.total == 0,
        "csv": views.api_url("clients", filters, q=search, format="csv"),
        "api": views.api_url("clients", filters, q=search, page=page, page_size=CLIENTS_PAGE_SIZE),
    }
    return _render(
        request,
        CLIENTS,
        db=db,
        user=user,
        filters=filters,
        extra=extra,
        context=context,
        results="clients",
    )


@router.get("/resolution", name="dashboard_resolution")
def resolution_page(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    fast: UseRollups,
    page: PageNumber = 1,
) -> Response:
    now = datetime.now(UTC)
    swap = _swap_target(request)
    extra = _extra(request, ("page",))
    context: dict[str, object] = {
        "late": None,
        "pages": 1,
        "stats_csv": views.api_url("resolution-times", filters, format="csv"),
        "overdue_csv": views.api_url("overdue", filters, format="csv"),
        "api": views.api_url("resolution-times", filters),
    }
    # A filter change paints the charts first and fetches the overdue list right after
    # (its own request): the list's sort over every overdue ticket is the slow part.
    if swap != "view":
        late = overdue.overdue(
            db,
            filters,
            tz,
            page=page,
            page_size=OVERDUE_PAGE_SIZE,
            as_of=now,
            use_rollups=fast,
        )
        context["late"] = late
        context["pages"] = max(1, -(-late.total // late.page_size))
    if swap != "resolution-results":
        stats = resolution_times.resolution_times(db, filters, tz, as_of=now, use_rollups=fast)
        histogram = resolution_histogram.resolution_histogram(db, filters, tz, use_rollups=fast)
        context.update(
            stats=stats,
            box_chart=views.box_chart(stats, filters),
            histogram_chart=views.histogram_chart(histogram),
            histogram=histogram,
            histogram_csv=views.api_url("resolution-histogram", filters, format="csv"),
            empty=sum(row.count for row in stats.by_priority) == 0 and stats.overdue_count == 0,
        )
    return _render(
        request,
        RESOLUTION,
        db=db,
        user=user,
        filters=filters,
        extra=extra,
        context=context,
        results="resolution",
    )
