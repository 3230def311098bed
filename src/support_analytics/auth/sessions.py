"""Login sessions: create, revoke, and the cookie that carries the raw token.

Validation and sliding renewal happen in PostgreSQL (`sa_resolve_session`) on every request,
so a revoked session or a disabled user stops working at the next request. The idle lifetime
is stored with the session here, by the owner: renewal slides by it, never by what the
caller of `sa_resolve_session` asks for.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from support_analytics.auth.tokens import new_token, token_hash

COOKIE_NAME = "sa_session"
# The browser may keep the cookie this long; the server-side expiry (sliding) decides.
COOKIE_MAX_AGE = int(timedelta(days=30).total_seconds())


def create(
    session: Session,
    *,
    user_id: int,
    ttl: timedelta,
    user_agent: str | None,
    ip_address: str | None,
) -> str:
    token = new_token()
    session.execute(
        text(
            "INSERT INTO sessions (user_id, token_hash, expires_at, idle_ttl, user_agent,"
            " ip_address) VALUES (:user_id, :hash, now() + :ttl, :ttl, :agent, :ip)"
        ),
        {
            "user_id": user_id,
            "hash": token_hash(token),
            "ttl": ttl,
            "agent": (user_agent or "")[:500] or None,
            "ip": ip_address,
        },
    )
    return token


def revoke(session: Session, token: str) -> None:
    session.execute(
        text(
            "UPDATE sessions SET revoked_at = now() WHERE token_hash = :hash AND revoked_at IS NULL"
        ),
        {"hash": token_hash(token)},
    )


def revoke_all_for_user(session: Session, user_id: int) -> int:
    result = session.execute(
        text(
            "UPDATE sessions SET revoked_at = now()"
            " WHERE user_id = :user_id AND revoked_at IS NULL RETURNING id"
        ),
        {"user_id": user_id},
    )
    return len(result.all())


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE_NAME, httponly=True, samesite="lax", secure=is_https(request), path="/"
    )


def token_from(request: Request) -> str | None:
    token = request.cookies.get(COOKIE_NAME)
    # Our tokens are 43 URL-safe characters; anything else cannot match and is not looked up.
    if token is None or not 20 <= len(token) <= 100:
        return None
    return token
