"""Errors answer in the language of the caller: JSON under /api, a readable HTML page elsewhere.

`install(app)` wraps whatever handler the API already has for each exception class, so the
JSON contract stays the API owners' and only non-API paths change. htmx requests get just the
error fragment, which app.js puts into the region that was being refreshed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from urllib.parse import quote, urlencode

from fastapi import FastAPI
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from support_analytics.errors import AppError
from support_analytics.web.templating import templates

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

_TITLES = {
    400: "That request could not be understood",
    401: "Please sign in",
    403: "You don't have access to this page",
    404: "Page not found",
    405: "That action isn't allowed here",
    409: "That conflicts with the current state",
    422: "Some of the values in the address are not valid",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "The database is not reachable right now",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/api"


def wants_fragment(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _bad_parameter(request: Request, message: str | None) -> tuple[str, str] | None:
    """(name, this address without it) when a 422 message starts with a parameter of the
    request, as every 422 of ours does ("priority: unknown priority ..."): one wrong value
    in a shared link should not cost the reader the rest of the filters."""
    name = (message or "").partition(":")[0]
    if not name or name not in request.query_params:
        return None
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != name]
    return name, request.url.path + (f"?{urlencode(kept)}" if kept else "")


def render_error(request: Request, status_code: int, message: str | None = None) -> Response:
    """The HTML error page (or its fragment for htmx) for one status."""
    title = _TITLES.get(status_code) or HTTPStatus(status_code).phrase
    bad = _bad_parameter(request, message) if status_code == 422 else None
    template = "_error.html" if wants_fragment(request) else "error.html"
    principal = getattr(request.state, "principal", None)
    return templates.TemplateResponse(
        request,
        template,
        {
            "status_code": status_code,
            "title": title,
            "message": message,
            "principal": principal,
            "bad_parameter": bad[0] if bad else None,
            "without_bad_parameter": bad[1] if bad else None,
        },
        status_code=status_code,
    )


def _validation_message(exc: RequestValidationError) -> str:
    parts: list[str] = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in {"query", "path"})
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg", ""))
    return "; ".join(p for p in parts if p) or "invalid input"


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target, safe='')}"
    if wants_fragment(request):
        # A redirect inside an htmx swap would paste the login page into the region.
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


async def _api_app_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, AppError):
        raise exc
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status_code
    )


async def _api_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    return await http_exception_handler(request, exc)


async def _api_validation_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):
        raise exc
    return await request_validation_exception_handler(request, exc)


async def _api_unexpected(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        {"error": {"code": "internal_error", "message": "unexpected server error"}},
        status_code=500,
    )


async def _call(handler: Handler, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    if isinstance(result, Response):
        return result
    return await result


def install(app: FastAPI) -> None:
    """Register the HTML variants; call after the API's own handlers are registered."""
    api_handlers: dict[type[Exception], Handler] = {
        AppError: _api_app_error,
        HTTPException: _api_http_error,
        RequestValidationError: _api_validation_error,
    }
    for exc_class in api_handlers:
        existing = app.exception_handlers.get(exc_class)
        if existing is not None:
            api_handlers[exc_class] = existing

    async def on_app_error(request: Request, exc: Exception) -> Response:
        if is_api(request) or not isinstance(exc, AppError):
            return await _call(api_handlers[AppError], request, exc)
        if exc.status_code == 401:
            return _login_redirect(request)
        return render_error(request, exc.status_code, exc.message)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        if is_api(request) or not isinstance(exc, HTTPException):
            return await _call(api_handlers[HTTPException], request, exc)
        if exc.status_code == 401:
            return _login_redirect(request)
        if exc.status_code < 400:
            return Response(status_code=exc.status_code, headers=exc.headers)
        detail: str | None = exc.detail if isinstance(exc.detail, str) else None
        if detail == HTTPStatus(exc.status_code).phrase:
            detail = None
        return render_error(request, exc.status_code, detail)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        if is_api(request) or not isinstance(exc, RequestValidationError):
            return await _call(api_handlers[RequestValidationError], request, exc)
        return render_error(request, 422, _validation_message(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if is_api(request):
            return await _api_unexpected(request, exc)
        return render_error(request, 500)

    app.add_exception_handler(AppError, on_app_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
