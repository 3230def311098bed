"""`/api/v1/alerts`: rules (managers and admins create, change, mute, test and delete; every
internal user reads them and subscribes), their history, the header's notifications, and
webhook endpoints (admins add and delete them). Clients get 403, anonymous callers 401."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from support_analytics.alerts import queries
from support_analytics.alerts.schemas import (
    AlertBody,
    AlertCreate,
    AlertList,
    AlertOut,
    FiringList,
    FiringOut,
    MuteBody,
    TestSent,
    WebhookBody,
    WebhookCreated,
    WebhookList,
    WebhookOut,
)
from support_analytics.app_settings import AppSettings, ReportingZone
from support_analytics.auth.dependencies import AdminUser, DbSession, InternalUser
from support_analytics.db.engine import Database
from support_analytics.errors import Forbidden, error_responses
from support_analytics.filters.params import reject_unknown_query_params, reporting_today
from support_analytics.tenancy.claims import Principal, Role

WRITERS = frozenset({Role.MANAGER, Role.ADMIN})

router = APIRouter(
    prefix="/api/v1/alerts",
    tags=["alerts"],
    dependencies=[Depends(reject_unknown_query_params)],
)


async def _writer(user: InternalUser) -> Principal:
    if user.role not in WRITERS:
        raise Forbidden("Only managers and admins can change alert rules.")
    return user


Writer = Annotated[Principal, Depends(_writer)]


def _owner_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


@router.get("", responses=error_responses(401, 403, 422))
def list_alerts(db: DbSession, user: InternalUser) -> AlertList:
    """Every rule with its state (firing, last value, last fired) and whether you subscribe."""
    return AlertList(rows=[AlertOut.of(v) for v in queries.list_rules(db, user.user_id)])


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 403, 422))
def create_alert(body: AlertCreate, db: DbSession, tz: ReportingZone, user: Writer) -> AlertOut:
    """A new rule, owned by you: evaluated under your role every minute and when data
    changes. `subscribe` (default true) mails you its firings."""
    view = queries.create_rule(
        db, user.user_id, body.input(), reporting_today(tz), subscribe=body.subscribe
    )
    return AlertOut.of(view)


@router.get("/webhooks", responses=error_responses(401, 403, 422))
def list_webhooks(db: DbSession, _user: InternalUser) -> WebhookList:
    """Webhook endpoints rules may deliver to (never their secrets)."""
    return WebhookList(rows=[WebhookOut.of(w) for w in queries.list_webhooks(db)])


@router.post(
    "/webhooks", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 403, 422)
)
def add_webhook(
    request: Request, body: WebhookBody, db: DbSession, settings: AppSettings, user: AdminUser
) -> WebhookCreated:
    """Add an endpoint (admins only). Its host must be on
    SUPPORT_ANALYTICS_WEBHOOK_ALLOWED_HOSTS. The answer holds the signing secret, once."""
    hook, secret = queries.add_webhook(
        db,
        _owner_database(request),
        user.user_id,
        name=body.name,
        url=body.url,
        allowed=settings.webhook_allowed_hosts,
    )
    return WebhookCreated(**WebhookOut.of(hook).model_dump(), secret=secret)


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_webhook(webhook_id: int, db: DbSession, _admin: AdminUser) -> Response:
    queries.delete_webhook(db, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/notifications", responses=error_responses(401, 403, 422))
def notifications(db: DbSession, _user: InternalUser, after: int = 0) -> FiringList:
    """Delivered firings and tests, newest first (at most 50; `after` = a firing id): what
    the header's live notification shows."""
    return FiringList(rows=[FiringOut.of(f) for f in queries.notifications(db, after=after)])


@router.get("/{alert_id}", responses=error_responses(401, 403, 404, 422))
def get_alert(alert_id: int, db: DbSession, user: InternalUser) -> AlertOut:
    return AlertOut.of(queries.get_rule(db, user.user_id, alert_id))


@router.put("/{alert_id}", responses=error_responses(401, 403, 404, 422))
def update_alert(
    alert_id: int,
    body: AlertBody,
    db: DbSession,
    tz: ReportingZone,
    user: Writer,
) -> AlertOut:
    """Replace the rule's definition (its owner stays; the state re-arms on the next run if
    the new threshold is not crossed)."""
    return AlertOut.of(
        queries.update_rule(db, user.user_id, alert_id, body.input(), reporting_today(tz))
    )


@router.delete(
    "/{alert_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_alert(alert_id: int, db: DbSession, user: Writer) -> Response:
    queries.delete_rule(db, user.user_id, alert_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{alert_id}/mute", responses=error_responses(401, 403, 404, 422))
def mute_alert(alert_id: int, body: MuteBody, db: DbSession, user: Writer) -> AlertOut:
    """Mute for `minutes` (firings are still logged, nothing is sent); null unmutes."""
    return AlertOut.of(queries.mute(db, user.user_id, alert_id, body.minutes))


@router.post(
    "/{alert_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 404, 422, 429),
)
def send_test(
    request: Request,
    alert_id: int,
    db: DbSession,
    settings: AppSettings,
    user: Writer,
) -> TestSent:
    """Send a test now on every channel (webhook, subscribers' mail, in-app), marked as a
    test and carrying the rule's last value. One per rule per minute (429 otherwise)."""
    queries.get_rule(db, user.user_id, alert_id)
    firing_id = queries.send_test(_owner_database(request), alert_id, settings.link_base_url())
    return TestSent(firing_id=firing_id)


@router.get("/{alert_id}/history", responses=error_responses(401, 403, 404, 422))
def alert_history(alert_id: int, db: DbSession, user: InternalUser) -> FiringList:
    """The rule's last 50 firings, recoveries and tests, each with its deliveries (channel,
    status, attempts, the last HTTP status code)."""
    rows = queries.history(db, user.user_id, alert_id)
    return FiringList(rows=[FiringOut.of(f) for f in rows])


@router.put(
    "/{alert_id}/subscription",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def subscribe(alert_id: int, db: DbSession, user: InternalUser) -> Response:
    """Mail this rule's firings to you (any internal user)."""
    queries.get_rule(db, user.user_id, alert_id)
    queries.set_subscribed(db, user.user_id, alert_id, subscribed=True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/{alert_id}/subscription",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def unsubscribe(alert_id: int, db: DbSession, user: InternalUser) -> Response:
    queries.get_rule(db, user.user_id, alert_id)
    queries.set_subscribed(db, user.user_id, alert_id, subscribed=False)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
