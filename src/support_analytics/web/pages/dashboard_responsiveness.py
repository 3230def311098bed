"""The Responsiveness view: first response time cards with the period comparison, the FRT
distribution and FRT over time, per priority and per team member, every count linked to
the inbox list of exactly its tickets (`awaiting=`, `first_response=`).

Numbers come from the same functions as /api/v1/analytics/responsiveness[/team|/histogram|
/over-time]; the page renders them, nothing is recomputed here."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from support_analytics.analytics import entities, overview, responsiveness
from support_analytics.analytics import responsiveness_charts as charts
from support_analytics.analytics.endpoints import CompareParam, GrainParam
from support_analytics.analytics.schemas import Responsiveness
from support_analytics.app_settings import ReportingZone
from support_analytics.auth.dependencies import DbSession, InternalUser
from support_analytics.filters import TicketFilters
from support_analytics.filters.params import TicketFiltersParam, reject_unknown_query_params
from support_analytics.web.pages import dashboard_links as links
from support_analytics.web.pages import dashboard_views as views
from support_analytics.web.pages.dashboard import RESPONSIVENESS, _extra, _render
from support_analytics.web.pages.dashboard_filterbar import redirect_plain_form
from support_analytics.web.templating import hours, one_decimal, thousands

router = APIRouter(
    prefix="/dashboard",
    tags=["pages"],
    include_in_schema=False,
    dependencies=[Depends(redirect_plain_form), Depends(reject_unknown_query_params)],
)


def frt_param(low: float, high: float | None) -> str:
    return f"{low:g}..{'' if high is None else f'{high:g}'}"


@dataclass(frozen=True)
class Row:
    """A table row: label, its tickets link and the numbers as printed."""

    key: str
    label: str
    count: str
    count_href: str | None
    awaiting: str
    awaiting_href: str | None
    median: str
    p90: str


def _hours_text(value: float | None) -> str:
    return "—" if value is None else f"{hours(value)} h"


def cards(
    result: Responsiveness, before: Responsiveness | None, filters: TicketFilters
) -> list[views.Card]:
    fr = result.first_response
    replied = links.tickets_url(filters, first_response="0..") if fr.count else None
    prev = before.first_response if before else None

    def hours_delta(now: float | None, then: float | None) -> views.Delta | None:
        if now is None or then is None:
            return None
        change = round(now - then, 1)
        sign = "+" if change > 0 else ("-" if change < 0 else "±")
        tone = "flat" if change == 0 else ("down" if change > 0 else "up")
        return views.Delta(f"{sign}{abs(change):,.1f} h", tone, f"{then:,.1f} h")

    def count_delta(now: int, then: int) -> views.Delta:
        if then == 0:
            return views.Delta("new" if now else "±0", "flat", thousands(then))
        change = 100.0 * (now - then) / then
        sign = "+" if change > 0 else ("-" if change < 0 else "±")
        tone = "flat" if change == 0 else ("down" if change > 0 else "up")
        return views.Delta(f"{sign}{abs(change):,.1f}%", tone, thousands(then))

    ot = result.one_touch
    return [
        views.Card(
            "median_frt",
            "Median first response",
            hours(fr.median_hours),
            "h" if fr.median_hours is not None else "",
            replied,
            f"{thousands(fr.count)} tickets with a reply",
            hours_delta(fr.median_hours, prev.median_hours) if prev else None,
        ),
        views.Card(
            "p90_frt",
            "90th percentile",
            hours(fr.p90_hours),
            "h" if fr.p90_hours is not None else "",
            replied,
            "first response time",
            hours_delta(fr.p90_hours, prev.p90_hours) if prev else None,
        ),
        views.Card(
            "awaiting_first_reply",
            "Awaiting first reply",
            thousands(fr.awaiting),
            "",
            links.tickets_url(filters, awaiting="first_reply") if fr.awaiting else None,
            "open, no reply yet",
            count_delta(fr.awaiting, prev.awaiting) if prev else None,
        ),
        views.Card(
            "one_touch_pct",
            "One-touch resolution",
            one_decimal(ot.pct),
            "%" if ot.pct is not None else "",
            None,
            f"{thousands(ot.one_touch)} of {thousands(ot.resolved)} resolved with one reply",
            None,
        ),
    ]


def priority_rows(result: Responsiveness, filters: TicketFilters) -> list[Row]:
    rows = []
    for row in result.by_priority:
        narrowed = links.for_priority(filters, row.priority)
        rows.append(
            Row(
                key=row.priority,
                label=row.priority.capitalize(),
                count=thousands(row.count),
                count_href=links.tickets_url(narrowed, first_response="0..") if row.count else None,
                awaiting=thousands(row.awaiting),
                awaiting_href=links.tickets_url(narrowed, awaiting="first_reply")
                if row.awaiting
                else None,
                median=_hours_text(row.median_hours),
                p90=_hours_text(row.p90_hours),
            )
        )
    return rows


@router.get("/responsiveness", name="dashboard_responsiveness")
def responsiveness_page(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    compare: CompareParam = "previous",
    grain: GrainParam = "month",
) -> Response:
    result = responsiveness.responsiveness(db, filters, tz)
    compared = overview.compared_filters(filters, compare)
    before = responsiveness.responsiveness(db, compared, tz) if compared is not None else None
    team = responsiveness.team(db, filters, tz)
    histogram = charts.histogram(db, filters, tz)
    series = charts.over_time(db, filters, tz, grain)
    comparison = None
    if compared is not None and compared.date is not None:
        what = "the same days one year earlier" if compare == "year" else "the period just before"
        days = views.days_text(compared.date.format())
        comparison = f"Deltas compare with {what} ({days}), with the same other filters."
    context: dict[str, object] = {
        "result": result,
        "cards": cards(result, before, filters),
        "compare": compare,
        "compare_modes": overview.COMPARE_MODES,
        "compare_labels": views.COMPARE_LABELS,
        "comparison": comparison,
        "priority_rows": priority_rows(result, filters),
        "team": team,
        "member_links": {
            row.team_member_id: links.tickets_url(
                entities.for_member(filters, row.team_member_id), first_response="0.."
            )
            for row in team.rows
            if row.first_replies
        },
        "histogram": histogram,
        "bar_links": [
            links.tickets_url(filters, first_response=frt_param(bar.lower_hours, bar.upper_hours))
            if bar.count
            else None
            for bar in histogram.bars
        ],
        "histogram_chart": {
            "labels": [bar.label for bar in histogram.bars],
            "counts": [bar.count for bar in histogram.bars],
        },
        "series": series,
        "grain": grain,
        "over_time_chart": {
            "labels": [views.grain_label(grain, point.period) for point in series.series],
            "median": [point.median_hours for point in series.series],
            "p90": [point.p90_hours for point in series.series],
        },
        "empty": result.first_response.count == 0 and result.first_response.awaiting == 0,
        "api": views.api_url("responsiveness", filters),
        "hours_text": _hours_text,
    }
    return _render(
        request,
        RESPONSIVENESS,
        db=db,
        user=user,
        filters=filters,
        extra=_extra(request, ("compare", "grain")),
        context=context,
    )
