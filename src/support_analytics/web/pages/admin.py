"""Admin pages: every account, invite staff or client users, change roles, disable or
enable, sign a user out everywhere, hand out reset links. Admins only (403 page otherwise).

Links are shown once, on the page the form redirects to (no mail server); they are never put
in a URL that would land in logs or browser history. Every successful form answers 303 (Back
or reload never repeats it): a new link rides to the next page in a short-lived HttpOnly
cookie scoped to /admin, which that page reads and clears.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from support_analytics.auth import admin, invites, service
from support_analytics.auth.admin_endpoints import base_url, link_sender
from support_analytics.auth.dependencies import AdminUser, DbSession
from support_analytics.auth.schemas import EmailText
from support_analytics.auth.sessions import is_https
from support_analytics.errors import AppError
from support_analytics.tenancy.claims import Principal, Role
from support_analytics.tickets import queries
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
        "team_members": queries.team_members(db),
        "clients": queries.clients(db),
        "internal_roles": [role.value for role in INTERNAL_ROLES],
        "notice": None,
        "error": None,
        "link": None,
        **extra,
    }
    return templates.TemplateResponse(request, "admin/users.html", context, status_code=status_code)


def _done(notice: str) -> Response:
    return RedirectResponse(f"/admin?done={notice}", status_code=303)


ISSUED_COOKIE = "sa_issued_link"


def _issued(request: Request, link: invites.Link) -> Response:
    response = RedirectResponse("/admin", status_code=303)
    value = json.dumps({"email": link.email, "purpose": link.purpose, "url": link.url})
    response.set_cookie(
        ISSUED_COOKIE,
        base64.urlsafe_b64encode(value.encode()).decode(),
        max_age=120,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/admin",
    )
    return response


def _issued_link(request: Request) -> invites.Link | None:
    """The link the last form made, if it is one of ours (a cookie set by anyone else cannot
    put a foreign link on the admin page)."""
    raw = request.cookies.get(ISSUED_COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except ValueError:
        return None
    fields = data if isinstance(data, dict) else {}
    email, purpose, url = fields.get("email"), fields.get("purpose"), fields.get("url")
    ours = f"{base_url(request)}/set-password/"
    if not (isinstance(email, str) and isinstance(url, str) and url.startswith(ours)):
        return None
    if purpose == "invite":
        return invites.Link(email=email, purpose="invite", url=url)
    return invites.Link(email=email, purpose="reset", url=url) if purpose == "reset" else None


@router.get("")
def users_page(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    link = _issued_link(request)
    response = _render(request, db, user, {"notice": NOTICES.get(done or ""), "link": link})
    if request.cookies.get(ISSUED_COOKIE):
        response.delete_cookie(
            ISSUED_COOKIE, httponly=True, samesite="strict", secure=is_https(request), path="/admin"
        )
    return response


@router.post("/invite")
def invite_submit(
    *,
    request: Request,
    db: DbSession,
    user: AdminUser,
    email: Annotated[EmailText, Form(max_length=254)],
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
            sender=link_sender(request),
        )
    except AppError as exc:
        db.rollback()
        return _render(request, db, user, {"error": exc.message}, status_code=exc.status_code)
    return _issued(request, invitation.link)


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
            db, user, user_id, base_url=base_url(request), sender=link_sender(request)
        )
    except AppError as exc:
        db.rollback()
        return _render(request, db, user, {"error": exc.message}, status_code=exc.status_code)
    return _issued(request, link)
