"""Errors answer in the language of the caller: the JSON contract of `support_analytics.errors`
under /api, a readable HTML page elsewhere. Every exception handler of the app is registered
here, by `install(app)`, and nowhere else. htmx requests get just the error fragment, which
app.js puts into the region that was being refreshed.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match

from support_analytics.errors import (
    AppError,
    FieldProblem,
    InvalidInput,
    code_for_status,
    error_body,
)
from support_analytics.web.templating import templates
from support_analytics.web.urls import url

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
    return name, url(request.url.path, kept)


def render_error(
    request: Request,
    status_code: int,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
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
        headers=headers,
    )


# Pydantic's location prefixes; the rest of the location is the name a caller knows.
_LOCATIONS = frozenset({"query", "path", "body", "header", "cookie"})


def _field_name(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in _LOCATIONS else [str(p) for p in loc]
    return ".".join(parts) or (str(loc[0]) if loc else "request")


def validation_input(exc: RequestValidationError) -> InvalidInput:
    """The framework's validation error as our one 422. Only pydantic's `msg` and the field's
    location are kept: its `input` (the submitted value) is never repeated, so a huge body,
    a password or a lone surrogate cannot come back in the response or the log."""
    problems: list[FieldProblem] = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            problems.append(FieldProblem("body", "not valid JSON"))
            continue
        loc = tuple(error.get("loc", ()))
        problems.append(FieldProblem(_field_name(loc), str(error.get("msg", "invalid"))))
    message = "; ".join(f"{p.name}: {p.message}" for p in problems) or "invalid input"
    return InvalidInput(message, problems=problems)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts at this path. Starlette's own 405 lists only the
    methods of the first route that matched the path, so `GET /tickets/1` beside
    `PATCH /tickets/1` said `Allow: GET` although PATCH is allowed too."""
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]


def api_response(exc: AppError) -> JSONResponse:
    return JSONResponse(
        error_body(exc.code, exc.message, exc.fields),
        status_code=exc.status_code,
        headers=exc.headers,
    )


def http_error(request: Request, exc: HTTPException) -> AppError:
    """Framework HTTP errors (unknown path, wrong method, unparsable body) as AppErrors."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return AppError(
        detail,
        status_code=exc.status_code,
        code=code_for_status(exc.status_code),
        headers=headers,
    )


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target, safe='')}"
    if wants_fragment(request):
        # A redirect inside an htmx swap would paste the login page into the region.
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def _respond(request: Request, exc: AppError) -> Response:
    if is_api(request):
        return api_response(exc)
    if exc.status_code == 401:
        return _login_redirect(request)
    if exc.status_code == 303:
        # A page's filter bar sent without JavaScript (dashboard_filterbar.redirect_plain_form).
        return RedirectResponse(exc.headers["Location"], status_code=303)
    message: str | None = exc.message
    if message == HTTPStatus(exc.status_code).phrase:
        message = None
    return render_error(request, exc.status_code, message, exc.headers)


async def on_app_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, AppError):
        raise TypeError(exc)
    return _respond(request, exc)


async def on_http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise TypeError(exc)
    return _respond(request, http_error(request, exc))


async def on_validation_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):
        raise TypeError(exc)
    return _respond(request, validation_input(exc))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if is_api(request):
        return JSONResponse(
            error_body("internal_error", "unexpected server error"), status_code=500
        )
    return render_error(request, 500)


def install(app: FastAPI) -> None:
    """The app's exception handlers, all of them (AppError covers every domain error,
    including 429 and 503 with their Retry-After)."""
    app.add_exception_handler(AppError, on_app_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
