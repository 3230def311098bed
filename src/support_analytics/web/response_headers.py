"""The one way our middleware adds response headers: pure ASGI, so streamed responses (SSE,
CSV exports) pass unbuffered, and the headers are written when the response starts, after
the route has run (so they can say what the route did)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from support_analytics.tenancy.replica import HEADER as READ_SOURCE_HEADER
from support_analytics.tenancy.replica import ReadSource

HeaderEdit = Callable[[MutableHeaders], None]


class ResponseHeaders:
    """Subclasses say, per HTTP request, how to edit the response's headers (`prepare` runs
    before the route, the edit it returns when the response starts)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def prepare(self, scope: Scope) -> HeaderEdit:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        edit = self.prepare(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                edit(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ReadSourceHeader(ResponseHeaders):
    """`X-Read-Source: standby; lag=0.012` or `primary; reason=...` on read routes when a
    standby is configured."""

    def prepare(self, scope: Scope) -> HeaderEdit:
        def edit(headers: MutableHeaders) -> None:
            source = scope.get("state", {}).get("read_source")
            if isinstance(source, ReadSource):
                headers[READ_SOURCE_HEADER] = source.header

        return edit
