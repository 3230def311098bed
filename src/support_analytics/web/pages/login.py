"""Sign-in, sign-out, set a password from an invite or reset link, change your own
password, and the role-based landing at `/`.

Forms are plain POST + redirect. Signing in needs no DbSession: there is no identity yet, so
the password check runs in `auth.service` on the owner connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from support_analytics.app_settings import session_ttl
from support_analytics.auth import invites, service, sessions
from support_analytics.auth.dependencies import CurrentUser, OptionalUser
from support_analytics.auth.endpoints import client_ip, database_of
from support_analytics.auth.ratelimit import RateLimited
from support_analytics.errors import AppError, InvalidInput
from support_analytics.tenancy.claims import Principal, Role
from support_analytics.tenancy.scope import owner_transaction
from support_analytics.text import SECRET_FORBIDDEN, is_clean
from support_analytics.web.templating import templates

router = APIRouter(tags=["pages"], include_in_schema=False)

Text = Annotated[str, Form(max_length=1024)]


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no `//evil.example` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def landing(role: Role) -> str:
    """Where signing in leads: agents work the ticket inbox, managers and admins read the
    dashboard, clients their portal."""
    if role is Role.CLIENT:
        return "/portal"
    return "/tickets" if role is Role.AGENT else "/dashboard"


def _page(
    request: Request,
    template: str,
    context: Mapping[str, object],
    *,
    principal: Principal | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return templates.TemplateResponse(
        request,
        template,
        {"principal": principal, **context},
        status_code=status_code,
        headers=dict(headers or {}),
    )


@router.get("/")
def home(user: OptionalUser) -> Response:
    """Role-based landing: the dashboard for staff, the portal for clients."""
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(landing(user.role), status_code=303)


@router.get("/login")
def login_form(
    request: Request,
    next: Annotated[str | None, Query(max_length=2000)] = None,
    notice: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    messages = {
        "signed_out": "You are signed out.",
        "password_set": "Your password is set. Sign in with it.",
    }
    return _page(
        request,
        "login.html",
        {"next": safe_next(next) or "", "email": "", "notice": messages.get(notice or "")},
    )


@router.post("/login")
def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Text,
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    database = database_of(request)
    if not is_clean(email) or not is_clean(password, SECRET_FORBIDDEN):
        # NUL cannot reach PostgreSQL and a lone surrogate cannot be re-displayed.
        return _page(
            request,
            "login.html",
            {"next": safe_next(next) or "", "email": "", "error": "Invalid email or password."},
            status_code=422,
        )
    context: dict[str, object] = {"next": safe_next(next) or "", "email": email}
    try:
        result = service.login(
            database,
            email=email,
            password=password,
            ip_address=client_ip(request),
            user_agent=request.headers.get("user-agent"),
            ttl=session_ttl(request),
        )
    except RateLimited as exc:
        return _page(
            request,
            "login.html",
            {**context, "error": exc.message},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except AppError as exc:
        return _page(request, "login.html", {**context, "error": exc.message}, status_code=401)
    with owner_transaction(database) as session:
        user = service.get_user(session, result.user_id)
    default = landing(user.role)
    target = safe_next(next) or default
    if user.kind == "client" and not target.startswith("/portal"):
        target = default
    response = RedirectResponse(target, status_code=303)
    sessions.set_cookie(response, request, result.token)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    token = sessions.token_from(request)
    if token:
        service.logout(database_of(request), token)
    response = RedirectResponse("/login?notice=signed_out", status_code=303)
    sessions.clear_cookie(response, request)
    return response


@router.get("/set-password/{token}")
def set_password_form(request: Request, token: str) -> Response:
    pending = invites.peek(database_of(request), token)
    return _page(
        request, "auth/set_password.html", {"pending": pending, "token": token, "error": None}
    )


@router.post("/set-password/{token}")
def set_password_submit(request: Request, token: str, password: Text, confirm: Text) -> Response:
    database = database_of(request)
    pending = invites.peek(database, token)
    error = "The two passwords differ." if password != confirm else None
    if error is None:
        try:
            invites.redeem(database, token, password)
        except InvalidInput as exc:
            error = exc.message
    if error is not None:
        return _page(
            request,
            "auth/set_password.html",
            {"pending": pending, "token": token, "error": error},
            status_code=422,
        )
    return RedirectResponse("/login?notice=password_set", status_code=303)


@router.get("/account/password")
def change_password_form(
    request: Request,
    user: CurrentUser,
    done: Annotated[str | None, Query(max_length=1)] = None,
) -> Response:
    return _page(
        request, "auth/change_password.html", {"error": None, "done": done == "1"}, principal=user
    )


@router.post("/account/password")
def change_password_submit(
    request: Request, user: CurrentUser, current: Text, password: Text, confirm: Text
) -> Response:
    error = "The two new passwords differ." if password != confirm else None
    if error is None:
        try:
            service.change_password(
                database_of(request),
                user,
                current=current,
                new=password,
                keep_token=sessions.token_from(request),
                ip_address=client_ip(request),
            )
        except RateLimited as exc:
            return _page(
                request,
                "auth/change_password.html",
                {"error": exc.message, "done": False},
                principal=user,
                status_code=429,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except InvalidInput as exc:
            error = exc.message
    if error is None:
        # 303 like every other successful form: reload or Back never posts the passwords again.
        return RedirectResponse("/account/password?done=1", status_code=303)
    return _page(
        request,
        "auth/change_password.html",
        {"error": error, "done": False},
        principal=user,
        status_code=422,
    )
