"""`/api/v1/digests`: a signed-in user's own digest subscriptions (one daily, one weekly),
and `/digests/unsubscribe/{id}?sig=...`, the signed link every digest carries (a page with a
button; a POST, also RFC 8058 one-click from the mail client, removes the subscription)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from support_analytics.auth.dependencies import CurrentUser, DbSession
from support_analytics.db.engine import Database
from support_analytics.digests import links, subscriptions
from support_analytics.digests.schedule import Frequency
from support_analytics.digests.subscriptions import QUERY_MAX, Subscription
from support_analytics.errors import error_responses
from support_analytics.tenancy.scope import owner_transaction
from support_analytics.web.templating import templates

router = APIRouter(
    prefix="/api/v1/digests",
    tags=["digests"],
    responses=error_responses(401, 422, 503),
)
pages = APIRouter(prefix=links.PATH, tags=["pages"], include_in_schema=False)


class DigestOut(BaseModel):
    id: int
    frequency: Frequency
    local_hour: int
    weekday: int
    filters: str

    @classmethod
    def of(cls, sub: Subscription) -> DigestOut:
        return cls(
            id=sub.id,
            frequency=sub.frequency,
            local_hour=sub.local_hour,
            weekday=sub.weekday,
            filters=sub.query,
        )


class DigestList(BaseModel):
    rows: list[DigestOut]


class DigestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local_hour: int = Field(default=8, ge=0, le=23, description="Hour in your timezone.")
    weekday: int = Field(
        default=1, ge=1, le=7, description="Weekly digests: ISO weekday, 1 = Monday."
    )
    filters: str = Field(
        default="",
        max_length=QUERY_MAX,
        description="Dashboard filters as a query string: team_member, ticket_type, priority.",
    )


@router.get("")
def list_digests(db: DbSession, user: CurrentUser) -> DigestList:
    """Your digest subscriptions."""
    return DigestList(rows=[DigestOut.of(s) for s in subscriptions.list_own(db, user.user_id)])


@router.put("/{frequency}")
def subscribe(
    frequency: Frequency, body: DigestBody, db: DbSession, user: CurrentUser
) -> DigestOut:
    """Subscribe to (or change) your daily or weekly digest."""
    sub = subscriptions.subscribe(
        db,
        user.user_id,
        frequency=frequency,
        local_hour=body.local_hour,
        weekday=body.weekday,
        query=body.filters,
    )
    return DigestOut.of(sub)


@router.delete(
    "/{frequency}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404)
)
def unsubscribe(frequency: Frequency, db: DbSession, user: CurrentUser) -> Response:
    """Stop your daily or weekly digest."""
    found = [s for s in subscriptions.list_own(db, user.user_id) if s.frequency == frequency]
    for sub in found:
        subscriptions.unsubscribe(db, user.user_id, sub.id)
    if not found:
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


Signature = Annotated[str, Query(min_length=1, max_length=128, pattern="^[0-9a-f]+$")]


def _owner(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _page(request: Request, context: dict[str, object], status_code: int = 200) -> Response:
    response = templates.TemplateResponse(
        request, "digests/unsubscribe.html", {"principal": None, **context}, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.get("/{subscription_id}")
def unsubscribe_page(request: Request, subscription_id: int, sig: Signature) -> Response:
    """Opening the link changes nothing (mail scanners open links): it shows a button."""
    with owner_transaction(_owner(request)) as session:
        ok = links.valid(session, subscription_id, sig)
    return _page(
        request,
        {"valid": ok, "done": False, "subscription_id": subscription_id, "sig": sig},
        status_code=200 if ok else 404,
    )


@pages.post("/{subscription_id}")
def unsubscribe_by_link(request: Request, subscription_id: int, sig: Signature) -> Response:
    with owner_transaction(_owner(request)) as session:
        ok = links.valid(session, subscription_id, sig)
        if ok:
            subscriptions.remove_by_link(session, subscription_id)
    return _page(
        request,
        {"valid": ok, "done": ok, "subscription_id": subscription_id, "sig": sig},
        status_code=200 if ok else 404,
    )


# Both routers, for create_app to include in one line.
routes = APIRouter()
routes.include_router(router)
routes.include_router(pages)
