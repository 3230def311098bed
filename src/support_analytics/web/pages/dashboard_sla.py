"""The SLAs view: compliance cards for both targets with the period comparison, compliance
over time, per priority, per team member and per client, and the at-risk board whose
countdowns run in the browser (web/static/sla.js moves a row to breached when its due time
passes, without a reload; the board also reloads itself every minute).

Numbers come from the same functions as /api/v1/analytics/sla, /sla/breakdown and
/sla-breaches; the page renders them, nothing is recomputed here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from support_analytics.analytics import entities, overview
from support_analytics.analytics.endpoints import CompareParam, GrainParam
from support_analytics.app_settings import ReportingZone
from support_analytics.auth.dependencies import DbSession, InternalUser
from support_analytics.filters import TicketFilters
from support_analytics.filters.params import TicketFiltersParam, reject_unknown_query_params
from support_analytics.sla import breakdown, state
from support_analytics.sla.endpoints import WindowParam
from support_analytics.sla.schemas import TARGET_LABELS, SlaBlock, SlaBreakdown, SlaTarget
from support_analytics.web.pages import dashboard_links as links
from support_analytics.web.pages import dashboard_views as views
from support_analytics.web.pages.dashboard import SLAS, _extra, _render
from support_analytics.web.pages.dashboard_filterbar import redirect_plain_form
from support_analytics.web.templating import one_decimal, thousands
from support_analytics.web.urls import url

router = APIRouter(
    prefix="/dashboard",
    tags=["pages"],
    include_in_schema=False,
    dependencies=[Depends(redirect_plain_form), Depends(reject_unknown_query_params)],
)

BOARD_SIZE = 20
TargetParam = Annotated[state.Target, Query(description="`first_response` or `resolution`.")]


def _pct_delta(now: float | None, then: float | None) -> views.Delta | None:
    if now is None or then is None:
        return None
    change = round(now - then, 1)
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    tone = "flat" if change == 0 else ("up" if change > 0 else "down")
    return views.Delta(f"{sign}{abs(change):,.1f} pts", tone, f"{then:,.1f}%")


def cards(
    block: SlaBlock, before: SlaBlock | None, board_url: Callable[[str], str]
) -> list[views.Card]:
    out: list[views.Card] = []
    for target in state.TARGETS:
        now: SlaTarget = getattr(block, target)
        then: SlaTarget | None = getattr(before, target) if before else None
        out.append(
            views.Card(
                f"{target}_compliance",
                f"{TARGET_LABELS[target]} SLA met",
                one_decimal(now.compliance_pct),
                "%" if now.compliance_pct is not None else "",
                None,
                f"{thousands(now.met)} met · {thousands(now.breached)} breached · "
                f"{thousands(now.pending)} pending",
                _pct_delta(now.compliance_pct, then.compliance_pct) if then else None,
            )
        )
        out.append(
            views.Card(
                f"{target}_breached",
                f"{TARGET_LABELS[target]} breached",
                thousands(now.breached),
                "",
                f"{board_url(target)}#sla-board" if now.breached else None,
                "stopped late, or running past due",
                views.Delta(
                    _count_change(now.breached, then.breached), "flat", thousands(then.breached)
                )
                if then
                else None,
            )
        )
    return out


def _count_change(now: int, then: int) -> str:
    if then == 0:
        return "new" if now else "±0"
    change = 100.0 * (now - then) / then
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    return f"{sign}{abs(change):,.1f}%"


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    tickets: str
    tickets_href: str | None
    first_response: str
    resolution: str
    breached: str


def _pct_text(value: float | None) -> str:
    return "—" if value is None else f"{one_decimal(value)}%"


def rows(result: SlaBreakdown, filters: TicketFilters) -> list[BreakdownRow]:
    out = []
    for row in result.rows:
        href: str | None = None
        if result.by == "priority" and row.key:
            href = links.tickets_url(links.for_priority(filters, row.key))
        elif result.by == "team_member" and row.key:
            href = links.tickets_url(entities.for_member(filters, int(row.key)))
        elif result.by == "client":
            href = links.tickets_url(entities.for_client(filters, int(row.key)))
        out.append(
            BreakdownRow(
                key=row.key,
                label=row.label,
                tickets=thousands(row.tickets),
                tickets_href=href,
                first_response=_pct_text(row.first_response_compliance_pct),
                resolution=_pct_text(row.resolution_compliance_pct),
                breached=f"{thousands(row.first_response_breached)} / "
                f"{thousands(row.resolution_breached)}",
            )
        )
    return out


def over_time_chart(result: SlaBreakdown, grain: str) -> views.Payload:
    def r(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "labels": [views.grain_label(grain, row.key) for row in result.rows],
        "first_response": [r(row.first_response_compliance_pct) for row in result.rows],
        "resolution": [r(row.resolution_compliance_pct) for row in result.rows],
    }


@router.get("/sla", name="dashboard_sla")
def sla_page(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    compare: CompareParam = "previous",
    grain: GrainParam = "month",
    target: TargetParam = "resolution",
    window: WindowParam = 1.0,
) -> Response:
    as_of = datetime.now(UTC)
    block = state.sla_block(db, filters, tz, as_of=as_of)
    compared = overview.compared_filters(filters, compare)
    before = state.sla_block(db, compared, tz, as_of=as_of) if compared is not None else None
    comparison = None
    if compared is not None and compared.date is not None:
        what = "the same days one year earlier" if compare == "year" else "the period just before"
        days = views.days_text(compared.date.format())
        comparison = f"Deltas compare with {what} ({days}), with the same other filters."
    by = {
        name: breakdown.breakdown(db, filters, tz, by=name, grain=grain, as_of=as_of)
        for name in breakdown.BYS
    }
    span = timedelta(hours=window)
    at_risk = state.breaches(
        db,
        filters,
        tz,
        which="at_risk",
        target=target,
        page_size=BOARD_SIZE,
        window=span,
        as_of=as_of,
    )
    breached = state.breaches(
        db, filters, tz, which="breached", target=target, page_size=BOARD_SIZE, as_of=as_of
    )
    extra = _extra(request, ("compare", "grain", "target", "window"))
    board_params = {"target": target, "window": f"{window:g}"}
    context: dict[str, object] = {
        "block": block,
        "cards": cards(
            block,
            before,
            lambda t: url(SLAS.path, {**filters.to_params(), **extra}, target=t),
        ),
        "compare": compare,
        "compare_modes": overview.COMPARE_MODES,
        "compare_labels": views.COMPARE_LABELS,
        "comparison": comparison,
        "grain": grain,
        "over_time": by["period"],
        "over_time_chart": over_time_chart(by["period"], grain),
        "tables": [
            ("priority", "Per priority", rows(by["priority"], filters)),
            ("team_member", "Per team member", rows(by["team_member"], filters)),
            ("client", "Per client", rows(by["client"], filters)),
        ],
        "target": target,
        "target_labels": TARGET_LABELS,
        "window": window,
        "at_risk": at_risk,
        "breached": breached,
        "as_of_iso": as_of.isoformat(),
        "board_api": {
            "at_risk": views.api_url("sla-breaches", filters, state="at_risk", **board_params),
            "breached": views.api_url("sla-breaches", filters, state="breached", target=target),
        },
        "api": views.api_url("sla", filters),
        "empty": sum(getattr(block.resolution, k) for k in ("met", "breached", "pending")) == 0,
    }
    return _render(request, SLAS, db=db, user=user, filters=filters, extra=extra, context=context)
