"""/api/v1/sla/policies and /api/v1/sla/calendar (internal users read, admins write; bad input
is a 422 naming the field, nothing written), and /api/v1/analytics/sla-breaches."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.analytics.endpoints import GrainParam
from support_analytics.app_settings import ReportingZone
from support_analytics.auth.dependencies import AdminUser, DbSession, InternalUser, Principal
from support_analytics.errors import InvalidInput, error_responses
from support_analytics.export import bom_param, csv_response
from support_analytics.filters.params import TicketFiltersParam, reject_unknown_query_params
from support_analytics.sla import breakdown, policies, recompute, state
from support_analytics.sla.schemas import (
    CalendarModel,
    CalendarPatch,
    Policies,
    PoliciesInput,
    PolicyRule,
    SlaBlock,
    SlaBreachesPage,
    SlaBreachRow,
    SlaBreakdown,
    SlaBreakdownRow,
    SlaRecomputeState,
)

MAX_PAGE_SIZE = 200
EVERY_ROW = 2**31 - 1


def _internal(user: InternalUser) -> Principal:
    return user


router = APIRouter(
    prefix="/api/v1/sla",
    tags=["sla"],
    dependencies=[Depends(_internal), Depends(reject_unknown_query_params)],
    responses=error_responses(401, 403, 422, 503),
)

breaches_router = APIRouter(
    prefix="/api/v1/analytics",
    tags=["analytics"],
    dependencies=[Depends(_internal), Depends(reject_unknown_query_params), Depends(bom_param)],
    responses=error_responses(401, 403, 422, 503),
)


def _check_types(db: Session, rules: list[PolicyRule]) -> None:
    wanted = {rule.ticket_type_id for rule in rules if rule.ticket_type_id is not None}
    if not wanted:
        return
    known = set(
        db.execute(
            text("SELECT id FROM ticket_types WHERE id = ANY(:ids)"), {"ids": sorted(wanted)}
        ).scalars()
    )
    for index, rule in enumerate(rules):
        if rule.ticket_type_id is not None and rule.ticket_type_id not in known:
            field = f"rules[{index}].ticket_type_id"
            raise InvalidInput(f"{field}: no ticket type {rule.ticket_type_id}", field=field)


def _check_zone(db: Session, zone: str | None) -> None:
    # The database's zone names decide (they compute the calendar), not only Python's.
    if (
        zone is not None
        and not db.execute(
            text("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = :zone)"),
            {"zone": zone},
        ).scalar_one()
    ):
        raise InvalidInput(f"timezone: unknown to the database: {zone!r}", field="timezone")


@router.get("/policies")
def get_policies(db: DbSession) -> Policies:
    """The SLA policy: rows by priority, ticket type and client plan (null: any); the most
    specific matching row wins (type, then plan, then priority). Targets in hours, calendar
    or business hours; a null resolution target is the ticket type's average hours."""
    return policies.policies(db)


@router.put("/policies")
def put_policies(body: PoliciesInput, db: DbSession, _admin: AdminUser) -> Policies:
    """Replace the whole policy (admins). The commit queues a recompute of every ticket's SLA
    (a job; progress at `/api/v1/sla/recompute`)."""
    _check_types(db, body.rules)
    return policies.replace_policies(db, body.rules)


@router.patch("/policies")
def patch_policies(body: PoliciesInput, db: DbSession, _admin: AdminUser) -> Policies:
    """Add rules, or replace the rules with the same (priority, ticket type, plan) (admins)."""
    _check_types(db, body.rules)
    return policies.upsert_policies(db, body.rules)


@router.get("/calendar")
def get_calendar(db: DbSession) -> CalendarModel:
    """The business calendar: timezone, intervals per ISO weekday, holidays."""
    return policies.calendar(db)


@router.put("/calendar")
def put_calendar(body: CalendarModel, db: DbSession, _admin: AdminUser) -> CalendarModel:
    """Replace the calendar (admins); the commit queues a recompute of every ticket's SLA."""
    _check_zone(db, body.timezone)
    return policies.write_calendar(
        db, CalendarPatch(timezone=body.timezone, hours=body.hours, holidays=body.holidays)
    )


@router.patch("/calendar")
def patch_calendar(body: CalendarPatch, db: DbSession, _admin: AdminUser) -> CalendarModel:
    """Replace the parts given: timezone, the week's hours, the holidays (admins)."""
    _check_zone(db, body.timezone)
    return policies.write_calendar(db, body)


@router.get("/recompute")
def get_recompute(db: DbSession) -> SlaRecomputeState:
    """The latest recompute of every ticket's SLA (a policy or calendar edit queues one and
    runs it as a job, in batches): status, tickets done of total, percent. While
    `recomputing`, SLA numbers mix old and new targets (and say so: `recomputing` in the
    `sla` block and in sla-breaches)."""
    return recompute.state(db)


StateParam = Annotated[state.BreachState, Query(description="`breached` or `at_risk`.")]
TargetParam = Annotated[state.Target, Query(description="`first_response` or `resolution`.")]
Page = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number.")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")]
WindowParam = Annotated[
    float,
    Query(gt=0, le=24 * 365, description="At risk: due within this many hours (default 1)."),
]
FormatParam = Annotated[str, Query(pattern="^(json|csv)$", description="`csv`: every row.")]


@breaches_router.get(
    "/sla-breaches",
    response_model=SlaBreachesPage,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_sla_breaches(
    *,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    state_: Annotated[state.BreachState, Query(alias="state")] = "breached",
    target: TargetParam = "resolution",
    page: Page = 1,
    page_size: PageSize = state.DEFAULT_PAGE_SIZE,
    window: WindowParam = 1.0,
    format: FormatParam = "json",
) -> Response:
    """Breached or at-risk (pending, due within `window` hours) tickets for one target, worst
    first: most hours past due (`over_by_hours`, calendar hours; negative = time left)."""
    span = timedelta(hours=window)
    if format == "csv":
        every = state.breaches(
            db, filters, tz, which=state_, target=target, page_size=EVERY_ROW, window=span
        )
        return csv_response("sla-breaches", SlaBreachRow, every.rows)
    result = state.breaches(
        db, filters, tz, which=state_, target=target, page=page, page_size=page_size, window=span
    )
    return Response(result.model_dump_json(), media_type="application/json")


@breaches_router.get("/sla")
def get_sla(*, db: DbSession, filters: TicketFiltersParam, tz: ReportingZone) -> SlaBlock:
    """met / breached / pending and compliance per target for the tickets the filter admits
    (the `sla` block of `/responsiveness` alone); `recomputing` is set while an edit is being
    applied."""
    return state.sla_block(db, filters, tz)


ByParam = Annotated[
    breakdown.By, Query(description="`priority`, `team_member`, `client` or `period`.")
]


@breaches_router.get(
    "/sla/breakdown",
    response_model=SlaBreakdown,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_sla_breakdown(
    *,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    by: ByParam,
    grain: GrainParam = "month",
    format: FormatParam = "json",
) -> Response:
    """SLA compliance per priority, team member, client or creation period (`grain`), both
    targets; `format=csv` for the rows."""
    result = breakdown.breakdown(db, filters, tz, by=by, grain=grain)
    if format == "csv":
        return csv_response(f"sla-by-{by}", SlaBreakdownRow, result.rows)
    return Response(result.model_dump_json(), media_type="application/json")
