"""Admin pages for the SLA policy and the business calendar (docs/sla.md). Admins only.

The page shows what `GET /api/v1/sla/policies` and `GET /api/v1/sla/calendar` return, and
every form goes through the same endpoint functions as the API (same validation, same
transaction): bad input re-renders the page with a 422 naming the field and nothing
written. A successful form answers 303 (a reload never repeats it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from support_analytics.auth import preferences
from support_analytics.auth.dependencies import AdminUser, DbSession
from support_analytics.errors import AppError, InvalidInput
from support_analytics.sla import endpoints as sla_api
from support_analytics.sla.schemas import (
    CalendarModel,
    CalendarPatch,
    Holiday,
    PoliciesInput,
    PolicyRule,
)
from support_analytics.tenancy.claims import Principal
from support_analytics.tickets import queries
from support_analytics.web.errors import validation_input
from support_analytics.web.pages.tickets_shared import see_other
from support_analytics.web.templating import templates

router = APIRouter(prefix="/admin/sla", tags=["pages"], include_in_schema=False)

WEEKDAYS = {
    "1": "Monday",
    "2": "Tuesday",
    "3": "Wednesday",
    "4": "Thursday",
    "5": "Friday",
    "6": "Saturday",
    "7": "Sunday",
}
NOTICES = {
    "rule": "Rule saved.",
    "deleted": "Rule deleted.",
    "timezone": "Timezone saved.",
    "hours": "Weekly hours saved.",
    "holiday": "Holiday saved.",
    "unholiday": "Holiday removed.",
}
OptionalText = Annotated[str, Form(max_length=40)]
M = TypeVar("M", bound=BaseModel)


def _render(
    request: Request,
    db: Session,
    user: Principal,
    extra: Mapping[str, object],
    *,
    status_code: int = 200,
) -> Response:
    calendar = sla_api.get_calendar(db)
    week: dict[str, str] = dict.fromkeys(WEEKDAYS, "")
    for day, intervals in calendar.hours.items():
        week[day] = ", ".join(f"{i.start}-{i.end}" for i in intervals)
    context: dict[str, object] = {
        "principal": user,
        "policies": sla_api.get_policies(db),
        "recompute": sla_api.get_recompute(db),
        "calendar": calendar,
        "calendar_zone_unknown": preferences.loadable(calendar.timezone) is None,
        "weekdays": WEEKDAYS,
        "week": week,
        "ticket_types": {o.id: o.name for o in queries.ticket_types(db)},
        "notice": None,
        "error": None,
        **extra,
    }
    response = templates.TemplateResponse(
        request, "admin/sla.html", context, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/recompute")
def recompute_panel(*, request: Request, db: DbSession, user: AdminUser) -> Response:
    """The progress panel alone, polled by the page while a recompute runs."""
    response = templates.TemplateResponse(
        request,
        "admin/_sla_recompute.html",
        {"principal": user, "recompute": sla_api.get_recompute(db)},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _valid(model: type[M], data: dict[str, object]) -> M:
    """`model` from form data; pydantic's complaint becomes our 422 naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_input(RequestValidationError(exc.errors())) from exc


def _blank(value: str) -> str | None:
    return value.strip() or None


def _failed(request: Request, db: Session, user: Principal, exc: AppError) -> Response:
    db.rollback()
    return _render(request, db, user, {"error": exc.message}, status_code=exc.status_code)


@router.get("")
def sla_page(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    return _render(request, db, user, {"notice": NOTICES.get(done or "")})


@router.post("/rules")
def rule_submit(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    priority: OptionalText = "",
    ticket_type_id: OptionalText = "",
    plan: OptionalText = "",
    first_response_hours: OptionalText = "",
    first_response_basis: OptionalText = "calendar",
    resolution_hours: OptionalText = "",
    resolution_basis: OptionalText = "calendar",
) -> Response:
    """Add a rule, or replace the one with the same priority, ticket type and plan."""
    try:
        rule = _valid(
            PolicyRule,
            {
                "priority": _blank(priority),
                "ticket_type_id": _blank(ticket_type_id),
                "plan": _blank(plan),
                "first_response_hours": _blank(first_response_hours),
                "first_response_basis": first_response_basis,
                "resolution_hours": _blank(resolution_hours),
                "resolution_basis": resolution_basis,
            },
        )
        sla_api.patch_policies(PoliciesInput(rules=[rule]), db, user)
    except AppError as exc:
        return _failed(request, db, user, exc)
    return see_other("/admin/sla?done=rule")


@router.post("/rules/{rule_id}/delete")
def rule_delete(*, request: Request, db: DbSession, user: AdminUser, rule_id: int) -> Response:
    current = sla_api.get_policies(db).rules
    kept = [r for r in current if r.id != rule_id]
    try:
        if len(kept) == len(current):
            raise InvalidInput(f"rule: no rule {rule_id}", field="rule")
        if not kept:
            raise InvalidInput("rules: the last rule cannot be deleted", field="rules")
        body = PoliciesInput(
            rules=[PolicyRule.model_validate(r.model_dump(exclude={"id"})) for r in kept]
        )
        sla_api.put_policies(body, db, user)
    except AppError as exc:
        return _failed(request, db, user, exc)
    return see_other("/admin/sla?done=deleted")


def _patch(db: Session, user: Principal, data: dict[str, object]) -> CalendarModel:
    return sla_api.patch_calendar(_valid(CalendarPatch, data), db, user)


@router.post("/calendar/timezone")
def timezone_submit(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    timezone: Annotated[str, Form(max_length=64)],
) -> Response:
    try:
        _patch(db, user, {"timezone": timezone.strip()})
    except AppError as exc:
        return _failed(request, db, user, exc)
    return see_other("/admin/sla?done=timezone")


def _intervals(day: str, text_value: str) -> list[dict[str, str]]:
    """'09:00-12:30, 13:30-17:00' as intervals; blank: closed."""
    out: list[dict[str, str]] = []
    for part in text_value.split(","):
        if not part.strip():
            continue
        start, sep, end = part.strip().partition("-")
        if not sep:
            field = f"hours.{day}"
            raise InvalidInput(
                f"{field}: {WEEKDAYS[day]}: write intervals as 09:00-17:00, separated by commas",
                field=field,
            )
        out.append({"start": start.strip(), "end": end.strip()})
    return out


@router.post("/calendar/hours")
def hours_submit(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    hours_1: Annotated[str, Form(max_length=200)] = "",
    hours_2: Annotated[str, Form(max_length=200)] = "",
    hours_3: Annotated[str, Form(max_length=200)] = "",
    hours_4: Annotated[str, Form(max_length=200)] = "",
    hours_5: Annotated[str, Form(max_length=200)] = "",
    hours_6: Annotated[str, Form(max_length=200)] = "",
    hours_7: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    given = dict(
        zip(WEEKDAYS, (hours_1, hours_2, hours_3, hours_4, hours_5, hours_6, hours_7), strict=True)
    )
    try:
        week = {day: _intervals(day, value) for day, value in given.items()}
        _patch(db, user, {"hours": {day: iv for day, iv in week.items() if iv}})
    except AppError as exc:
        return _failed(request, db, user, exc)
    return see_other("/admin/sla?done=hours")


@router.post("/calendar/holidays")
def holiday_submit(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    day: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add a holiday (or rename the one on that day)."""
    try:
        new = _valid(Holiday, {"day": day.strip(), "name": name.strip()})
        kept = [h for h in sla_api.get_calendar(db).holidays if h.day != new.day]
        _patch(db, user, {"holidays": [*kept, new]})
    except AppError as exc:
        return _failed(request, db, user, exc)
    return see_other("/admin/sla?done=holiday")


@router.post("/calendar/holidays/delete")
def holiday_delete(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    day: Annotated[str, Form(max_length=20)],
) -> Response:
    try:
        gone = _valid(Holiday, {"day": day.strip()}).day
        current = sla_api.get_calendar(db).holidays
        if all(h.day != gone for h in current):
            raise InvalidInput(f"day: no holiday on {gone.isoformat()}", field="day")
        _patch(db, user, {"holidays": [h for h in current if h.day != gone]})
    except AppError as exc:
        return _failed(request, db, user, exc)
    return see_other("/admin/sla?done=unholiday")
