"""The alerts pages: `/alerts` (every rule with its state, a form to create one) and
`/alerts/{id}` (the rule, its history with each delivery, and the buttons: send a test now,
mute, subscribe, delete). Internal users only; changing a rule needs a manager or admin (the
same rules as the API, through the same functions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from support_analytics.alerts import queries
from support_analytics.alerts.endpoints import WRITERS
from support_analytics.alerts.endpoints import router as api_router
from support_analytics.alerts.queries import RuleInput
from support_analytics.alerts.rules import LABELS, Metric, parse_comparator, parse_metric
from support_analytics.app_settings import AppSettings, ReportingZone
from support_analytics.auth.dependencies import DbSession, InternalUser
from support_analytics.db.engine import Database
from support_analytics.errors import AppError, Forbidden
from support_analytics.filters.params import reporting_today
from support_analytics.tenancy.claims import Principal
from support_analytics.web.templating import templates

router = APIRouter(prefix="/alerts", tags=["pages"], include_in_schema=False)

NOTICES = {
    "created": "Alert rule created.",
    "tested": "Test sent on every channel of this rule.",
    "muted": "Muted.",
    "unmuted": "Unmuted.",
    "subscribed": "You will get this rule's firings by mail.",
    "unsubscribed": "You will no longer get this rule's firings by mail.",
    "deleted": "Alert rule deleted.",
}
Done = Annotated[str | None, Query(max_length=20)]


def _check_writer(user: Principal) -> None:
    if user.role not in WRITERS:
        raise Forbidden("Only managers and admins can change alert rules.")


def _list(
    request: Request,
    db: DbSession,
    user: Principal,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return templates.TemplateResponse(
        request,
        "alerts/list.html",
        {
            "principal": user,
            "rules": queries.list_rules(db, user.user_id),
            "webhooks": queries.list_webhooks(db),
            "metrics": [(m.value, LABELS[m]) for m in Metric],
            "can_write": user.role in WRITERS,
            "notice": notice,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("")
def alerts_page(request: Request, db: DbSession, user: InternalUser, done: Done = None) -> Response:
    return _list(request, db, user, notice=NOTICES.get(done or ""))


@router.post("")
def create_submit(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    tz: ReportingZone,
    name: Annotated[str, Form(max_length=200)],
    metric: Annotated[str, Form(max_length=40)],
    comparator: Annotated[str, Form(max_length=2)],
    threshold: Annotated[float, Form(allow_inf_nan=False)],
    filters: Annotated[str, Form(max_length=2000)] = "",
    window_days: Annotated[int | None, Form(ge=1, le=366)] = None,
    cooldown_minutes: Annotated[int, Form(ge=0, le=10080)] = 60,
    webhook_id: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    _check_writer(user)
    try:
        view = queries.create_rule(
            db,
            user.user_id,
            RuleInput(
                name=name,
                metric=parse_metric(metric),
                filters=filters,
                comparator=parse_comparator(comparator),
                threshold=threshold,
                window_days=window_days,
                sla_target=None,
                cooldown_minutes=cooldown_minutes,
                webhook_id=webhook_id,
            ),
            reporting_today(tz),
            subscribe=True,
        )
    except AppError as exc:
        db.rollback()
        return _list(request, db, user, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/alerts/{view.rule.id}?done=created", status_code=303)


@router.get("/{alert_id}")
def alert_page(
    request: Request, db: DbSession, user: InternalUser, alert_id: int, done: Done = None
) -> Response:
    return templates.TemplateResponse(
        request,
        "alerts/detail.html",
        {
            "principal": user,
            "view": queries.get_rule(db, user.user_id, alert_id),
            "label": LABELS,
            "history": queries.history(db, user.user_id, alert_id),
            "can_write": user.role in WRITERS,
            "notice": NOTICES.get(done or ""),
        },
    )


def _owner_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


@router.post("/{alert_id}/{action}")
def action_submit(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    settings: AppSettings,
    alert_id: int,
    action: str,
    minutes: Annotated[int | None, Form(ge=1, le=10080)] = None,
) -> Response:
    queries.get_rule(db, user.user_id, alert_id)
    if action in {"subscribe", "unsubscribe"}:
        queries.set_subscribed(db, user.user_id, alert_id, subscribed=action == "subscribe")
        return RedirectResponse(f"/alerts/{alert_id}?done={action}d", status_code=303)
    _check_writer(user)
    if action == "test":
        queries.send_test(_owner_database(request), alert_id, settings.link_base_url())
        return RedirectResponse(f"/alerts/{alert_id}?done=tested", status_code=303)
    if action == "mute":
        queries.mute(db, user.user_id, alert_id, minutes or 60)
        return RedirectResponse(f"/alerts/{alert_id}?done=muted", status_code=303)
    if action == "unmute":
        queries.mute(db, user.user_id, alert_id, None)
        return RedirectResponse(f"/alerts/{alert_id}?done=unmuted", status_code=303)
    if action == "delete":
        queries.delete_rule(db, user.user_id, alert_id)
        return RedirectResponse("/alerts?done=deleted", status_code=303)
    return Response(status_code=404)


# The API and the pages, for the app to include at once.
routes = APIRouter()
routes.include_router(api_router)
routes.include_router(router)
