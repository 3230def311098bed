"""`X-Request-ID`: one id per request, in the response and in every log line written while
the request runs, so a user's report ("it failed, id abc123") finds the server's lines.

A proxy's or client's id is kept when it is safe to echo and to log: 1 to 64 characters of
`[A-Za-z0-9._-]`. Anything else (a newline forging a log line, markup, a megabyte) is
replaced by a fresh id rather than cleaned, so a logged id is always one we can trust as a
key. A pure ASGI middleware rather than Starlette's BaseHTTPMiddleware: it does not buffer
streamed responses (SSE, CSV exports) and the context variable it sets is visible to the
server's access log, which uvicorn writes from inside the app's `send`.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import Receive, Scope, Send

from support_analytics.web.response_headers import HeaderEdit, ResponseHeaders

HEADER = "X-Request-ID"
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")
NO_REQUEST = "-"

current: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def accepted(value: str | None) -> str:
    """`value` when it is a safe id, else a new one."""
    if value is not None and _SAFE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestId(ResponseHeaders):
    def prepare(self, scope: Scope) -> HeaderEdit:
        raw = next(
            (value for name, value in scope["headers"] if name == b"x-request-id"),
            None,
        )
        request_id = accepted(raw.decode("latin-1") if raw is not None else None)
        scope.setdefault("state", {})["request_id"] = request_id
        current.set(request_id)

        def edit(headers: MutableHeaders) -> None:
            headers[HEADER] = request_id

        return edit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # `prepare` sets the id for this request; put back whatever was there before.
        token = current.set(current.get())
        try:
            await super().__call__(scope, receive, send)
        finally:
            current.reset(token)


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` (`-` outside a request) for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True


def install(app: FastAPI) -> None:
    """Call last: the outermost middleware, so even a 503 or 500 rendered by the outage net
    carries the id."""
    app.add_middleware(RequestId)
