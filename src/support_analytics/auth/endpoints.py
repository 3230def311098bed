"""/api/v1/auth/login, /api/v1/auth/logout, /api/v1/auth/password and /api/v1/me."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from support_analytics.app_settings import session_ttl
from support_analytics.auth import service, sessions
from support_analytics.auth.dependencies import CurrentUser
from support_analytics.auth.schemas import ChangePasswordBody, LoginBody, Me
from support_analytics.db.engine import Database
from support_analytics.errors import error_responses
from support_analytics.tenancy.scope import owner_transaction

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=error_responses(503))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


@router.post(
    "/auth/login",
    responses=error_responses(401, 422, 429),
)
def login(body: LoginBody, request: Request, response: Response) -> Me:
    """Sign in: sets the HttpOnly session cookie and returns who you are."""
    database = database_of(request)
    result = service.login(
        database,
        email=body.email,
        password=body.password,
        ip_address=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        ttl=session_ttl(request),
    )
    sessions.set_cookie(response, request, result.token)
    with owner_transaction(database) as session:
        user = service.get_user(session, result.user_id)
    return Me(
        id=user.id,
        email=user.email,
        kind="internal" if user.kind == "internal" else "client",
        role=user.role,
        client_id=user.client_id,
        team_member_id=user.team_member_id,
        display_name=user.display_name,
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response) -> None:
    """Revoke this session and clear the cookie (idempotent)."""
    token = sessions.token_from(request)
    if token:
        service.logout(database_of(request), token)
    sessions.clear_cookie(response, request)


@router.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 422, 429),
)
def change_password(body: ChangePasswordBody, user: CurrentUser, request: Request) -> None:
    """Change your own password; your other sessions are signed out."""
    service.change_password(
        database_of(request),
        user,
        current=body.current_password,
        new=body.new_password,
        keep_token=sessions.token_from(request),
        ip_address=client_ip(request),
    )


@router.get("/me", responses=error_responses(401))
def me(user: CurrentUser) -> Me:
    return Me.of(user)
