"""`/api/v1/views` (JSON) and the dashboard header's saved-views panel (htmx), internal users
only: clients have no dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from support_analytics.auth.dependencies import DbSession, InternalUser
from support_analytics.errors import AppError, error_responses
from support_analytics.tenancy.claims import Principal
from support_analytics.views import queries
from support_analytics.views.queries import NAME_MAX, SavedView
from support_analytics.web.templating import templates

router = APIRouter(prefix="/api/v1/views", tags=["views"])
pages = APIRouter(prefix="/dashboard/saved-views", tags=["pages"], include_in_schema=False)

OVERVIEW = "/dashboard"
# The unfiltered overview with its default comparison spelled out: a query string, so the
# "Clear all filters" link is explicit state and never taken for a bare /dashboard.
EXPLICIT_OVERVIEW = "/dashboard?compare=previous"


def default_view_redirect(request: Request, db: Session, user: Principal) -> Response | None:
    """A bare /dashboard (no query string, not an htmx swap) opens the user's default view;
    any query string is state the user chose and wins."""
    if request.url.query or request.headers.get("HX-Request") == "true":
        return None
    view = queries.default_view(db, user.user_id)
    if view is None or view.url == OVERVIEW:
        return None
    return RedirectResponse(
        view.url, status_code=status.HTTP_303_SEE_OTHER, headers={"Cache-Control": "no-store"}
    )


def explicit(address: str) -> str:
    """`address`, or the explicit overview when it is the bare /dashboard."""
    return EXPLICIT_OVERVIEW if address == OVERVIEW else address


class ViewOut(BaseModel):
    id: int
    name: str
    url: str
    shared: bool
    mine: bool
    is_default: bool

    @classmethod
    def of(cls, view: SavedView) -> ViewOut:
        return cls(
            id=view.id,
            name=view.name,
            url=view.url,
            shared=view.shared,
            mine=view.mine,
            is_default=view.is_default,
        )


class ViewList(BaseModel):
    rows: list[ViewOut]


class ViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=NAME_MAX)
    url: str = Field(
        min_length=1, max_length=2100, description="A dashboard address: path and query."
    )
    shared: bool = False
    default: bool = False


class ViewPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    shared: bool | None = None
    url: str | None = Field(default=None, min_length=1, max_length=2100)


class DefaultBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    view_id: int | None


@router.get("", responses=error_responses(401, 403))
def list_views(db: DbSession, user: InternalUser) -> ViewList:
    """Your views and those others share, your default first."""
    return ViewList(rows=[ViewOut.of(v) for v in queries.list_views(db, user.user_id)])


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 403, 409, 422))
def create_view(body: ViewCreate, db: DbSession, user: InternalUser) -> ViewOut:
    """Save a dashboard address under a name (unique among your views)."""
    path, query = queries.split_state(body.url)
    view = queries.create_view(
        db, user.user_id, name=body.name, path=path, query=query, shared=body.shared
    )
    if body.default:
        queries.set_default(db, user.user_id, view.id)
        view = queries.get_view(db, user.user_id, view.id)
    return ViewOut.of(view)


@router.patch("/{view_id}", responses=error_responses(401, 403, 404, 409, 422))
def update_view(view_id: int, body: ViewPatch, db: DbSession, user: InternalUser) -> ViewOut:
    """Rename, share or unshare, or point at another address; only the owner may."""
    query = queries.split_state(body.url)[1] if body.url is not None else None
    view = queries.update_view(
        db, user.user_id, view_id, name=body.name, shared=body.shared, query=query
    )
    return ViewOut.of(view)


@router.delete(
    "/{view_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_view(view_id: int, db: DbSession, user: InternalUser) -> Response:
    queries.delete_view(db, user.user_id, view_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/default", responses=error_responses(401, 403, 404, 422))
def set_default(body: DefaultBody, db: DbSession, user: InternalUser) -> ViewList:
    """Your default view (your own or a shared one); null clears it."""
    queries.set_default(db, user.user_id, body.view_id)
    return ViewList(rows=[ViewOut.of(v) for v in queries.list_views(db, user.user_id)])


def _current(request: Request, fallback: str) -> str:
    # htmx sends the address bar's URL, which the filter bar keeps up to date.
    return request.headers.get("hx-current-url") or fallback


def _panel(
    request: Request, db: DbSession, user: InternalUser, *, error: str | None = None
) -> Response:
    return templates.TemplateResponse(
        request,
        "saved_views/_panel.html",
        {"views": queries.list_views(db, user.user_id), "error": error},
    )


@pages.get("")
def panel(request: Request, db: DbSession, user: InternalUser) -> Response:
    return _panel(request, db, user)


@pages.post("")
def save_current(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    name: Annotated[str, Form(max_length=200)],
    current: Annotated[str, Form(max_length=2100)] = "/dashboard",
    shared: Annotated[bool, Form()] = False,
) -> Response:
    try:
        path, query = queries.split_state(_current(request, current))
        queries.create_view(db, user.user_id, name=name, path=path, query=query, shared=shared)
    except AppError as exc:
        db.rollback()
        return _panel(request, db, user, error=exc.message)
    return _panel(request, db, user)


@pages.post("/{view_id}/{action}")
def change(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    view_id: int,
    action: str,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        if action == "rename":
            queries.update_view(db, user.user_id, view_id, name=name)
        elif action in {"share", "unshare"}:
            queries.update_view(db, user.user_id, view_id, shared=action == "share")
        elif action == "delete":
            queries.delete_view(db, user.user_id, view_id)
        elif action == "default":
            queries.set_default(db, user.user_id, view_id)
        elif action == "clear-default":
            queries.set_default(db, user.user_id, None)
        else:
            return Response(status_code=status.HTTP_404_NOT_FOUND)
    except AppError as exc:
        db.rollback()
        return _panel(request, db, user, error=exc.message)
    return _panel(request, db, user)
