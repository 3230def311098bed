"""Admin pages: every account, invite staff or client users, change roles, disable or
enable, sign a user out everywhere, hand out reset links. Admins only (403 page otherwise).

Links are shown on the page that made them (no mail server); they are never put in a URL
that would land in logs or browser history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from support_analytics.auth import admin, invites, service
from support_analytics.auth.admin_endpoints import base_url
from support_analytics.auth.dependencies import AdminUser, DbSession
from support_analytics.errors import AppError
from support_analytics.tenancy.claims import Principal, Role
from support_analytics.web.templating import templates

router = APIRouter(prefix="/admin", tags=["pages"], include_in_schema=False)

NOTICES = {
    "role": "Role changed.",
    "active": "Account enabled.",
    "disabled": "Account disabled; its sessions stopped working.",
    "revoked": "All sessions of that user were signed out.",
}
INTERNAL_ROLES = (Role.AGENT, Role.MANAGER, Role.ADMIN)


def _render(
    request: Request,
    db: Session,
    user: Principal,
    extra: Mapping[str, object],
    *,
    status_code: int = 200,
) -> Response:
    context: dict[str, object] = {
        "principal": user,
        "users": service.list_users(db),
        "live_sessions": admin.live_session_counts(db),
        "team_members": admin.team_member_options(db),
        "clients": admin.client_options(db),
        "internal_roles": [role.value for role in INTERNAL_ROLES],
        "notice": None,
        "error": None,
        "link": None,
        **extra,
    }
    return templates.TemplateResponse(request, "admin/users.html", context, status_code=status_code)


def _done(notice: str) -> Response:
    return RedirectResponse(f"/admin?done={notice}", status_code=303)


@router.get("")
def users_page(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    return _render(request, db, user, {"notice": NOTICES.get(done or "")})


@router.post("/invite")
def invite_submit(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    email: Annotated[str, Form(max_length=254)],
    kind: Annotated[Literal["internal", "client"], Form()],
    role: Annotated[Literal["agent", "manager", "admin"], Form()] = "agent",
    team_member_id: Annotated[int | None, Form()] = None,
    client_id: Annotated[int | None, Form()] = None,
) -> Response:
    try:
        invitation = admin.invite(
            db,
            user,
            email=email,
            role=Role(role) if kind == "internal" else Role.CLIENT,
            team_member_id=team_member_id if kind == "internal" else None,
            client_id=client_id if kind == "client" else None,
            base_url=base_url(request),
            sender=invites.ShownToSender(),
        )
    except AppError as exc:
        db.rollback()
        return _render(request, db, user, {"error": exc.message}, status_code=exc.status_code)
    return _render(request, db, user, {"link": invitation.link}, status_code=201)


@router.post("/users/{user_id}/role")
def role_submit(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    user_id: int,
    role: Annotated[Literal["agent", "manager", "admin"], Form()],
) -> Response:
    try:
        admin.change_role(db, user, user_id, Role(role))
    except AppError as exc:
        db.rollback()
        return _render(request, db, user, {"error": exc.message}, status_code=exc.status_code)
    return _done("role")


@router.post("/users/{user_id}/status")
def status_submit(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    user_id: int,
    status: Annotated[Literal["active", "disabled"], Form()],
) -> Response:
    try:
        admin.change_status(db, user, user_id, status)
    except AppError as exc:
        db.rollback()
        return _render(request, db, user, {"error": exc.message}, status_code=exc.status_code)
    return _done(status)


@router.post("/users/{user_id}/revoke-sessions")
def revoke_submit(*, db: DbSession, user: AdminUser, user_id: int) -> Response:
    admin.revoke_sessions(db, user_id)
    return _done("revoked")


@router.post("/users/{user_id}/reset-link")
def reset_link_submit(
    *, request: Request, db: DbSession, user: AdminUser, user_id: int
) -> Response:
    try:
        link = admin.reset_link(
            db, user, user_id, base_url=base_url(request), sender=invites.ShownToSender()
        )
    except AppError as exc:
        db.rollback()
        return _render(request, db, user, {"error": exc.message}, status_code=exc.status_code)
    return _render(request, db, user, {"link": link}, status_code=201)
