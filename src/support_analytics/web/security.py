"""Cross-site request refusal and security headers, as pure ASGI middleware.

A browser always tells us where an unsafe request comes from: `Sec-Fetch-Site` (every current
browser) or at least `Origin` (every browser on a cross-origin POST). A request that carries
either and is not same-origin is refused with 403 before it reaches a route, which covers
every form and API call that a session cookie would authenticate. Requests with neither
header are not from a browser page (curl, scripts) and carry no ambient credentials a third
site could abuse, so they pass; SameSite=Lax on the cookie is the second fence.
"""

from __future__ import annotations

import json
import secrets

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from support_analytics.web.response_headers import HeaderEdit, ResponseHeaders

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
# Scripts only from our own origin or inline with this response's nonce: no 'unsafe-inline',
# no inline event handlers, so injected markup cannot run script even if it slips past
# escaping. Styles are not restricted (htmx and ECharts set inline styles).
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)
NONCE_STATE_KEY = "csp_nonce"


def csp_nonce(request: Request) -> str:
    """This response's script nonce (templates write `nonce="{{ request.state.csp_nonce }}"`)."""
    nonce: str = request.state.csp_nonce
    return nonce


def _own_origin(scope: Scope, headers: Headers) -> str:
    scheme = "https" if scope.get("scheme") in {"https", "wss"} else "http"
    return f"{scheme}://{headers.get('host', '')}".lower()


def cross_site_reason(scope: Scope) -> str | None:
    """Why this request must be refused, or None when it is same-origin or not a browser's."""
    if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
        return None
    headers = Headers(scope=scope)
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in ALLOWED_FETCH_SITES:
        return f"cross-site request refused (Sec-Fetch-Site: {fetch_site})"
    origin = headers.get("origin")
    if origin is not None and origin.lower() != _own_origin(scope, headers):
        return "cross-site request refused (Origin does not match this site)"
    return None


class CrossSiteGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reason = cross_site_reason(scope)
        if reason is None:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": {"code": "cross_site_request", "message": reason}})
        response = Response(body, status_code=403, media_type="application/json")
        await response(scope, receive, send)


class SecurityHeaders(ResponseHeaders):
    def prepare(self, scope: Scope) -> HeaderEdit:
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})[NONCE_STATE_KEY] = nonce
        is_api = scope["path"].startswith("/api/")
        https = scope.get("scheme") == "https"

        def edit(headers: MutableHeaders) -> None:
            for name, value in SECURITY_HEADERS.items():
                headers.setdefault(name, value)
            headers.setdefault("content-security-policy", CSP.format(nonce=nonce))
            if is_api:
                # JSON and CSV hold tenant data: never kept by browsers or proxies.
                headers.setdefault("cache-control", "no-store")
            if https:
                headers.setdefault("strict-transport-security", "max-age=31536000")

        return edit


def install(app: FastAPI) -> None:
    """The middleware; one call from create_app."""
    app.add_middleware(CrossSiteGuard)
    app.add_middleware(SecurityHeaders)
