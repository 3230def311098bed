"""When the database is away or the server is saturated: 503 with Retry-After, never a 500,
and every 5xx closes its connection cleanly.

Most such errors already arrive as `DatabaseUnavailable` (db/engine.py turns connection
failures into it; the request gate raises its `Busy` subclass). This middleware is the net
for what escapes elsewhere - a pool timeout on the owner pool during sign-in, a driver error
raised outside SQLAlchemy - and hands it to the app's own `DatabaseUnavailable` handler, so
the body is the same JSON (or HTML page) as any other 503.

A 5xx carries `Connection: close`: the server is shedding load or broken, and a client that
reuses the connection would otherwise meet a reset instead of a clear end.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from support_analytics.db.engine import is_unavailable
from support_analytics.errors import AppError, DatabaseUnavailable

log = logging.getLogger(__name__)


async def _handled(app: FastAPI, scope: Scope, exc: Exception) -> Response:
    request = Request(scope)
    if is_unavailable(exc):
        replacement: Exception = (
            exc
            if isinstance(exc, DatabaseUnavailable)
            else DatabaseUnavailable("the database is not reachable right now")
        )
        handler = app.exception_handlers.get(AppError)
    else:
        replacement = exc
        handler = app.exception_handlers.get(Exception)
    if handler is None:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        return PlainTextResponse("Internal Server Error", status_code=500)
    result = handler(request, replacement)
    return result if isinstance(result, Response) else await result


class CleanFailures:
    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_closing_on_5xx(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if message["status"] >= 500:
                    MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        try:
            await self.app(scope, receive, send_closing_on_5xx)
        except Exception as exc:
            if started:
                raise
            # Rendered here rather than by Starlette's outermost handler so that the answer
            # carries Connection: close; the app's handler logs it.
            response = await _handled(self.owner, scope, exc)
            await response(scope, receive, send_closing_on_5xx)


def install(app: FastAPI) -> None:
    """Call after every other middleware, so that this one is the outermost of them."""
    app.add_middleware(CleanFailures, owner=app)
