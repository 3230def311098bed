"""Garbage collection between requests (web/collector.py): the server collects a request's
reference cycles once it ends, with automatic collection off, and a live stream does not
hold that back."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import Message, Receive, Scope, Send

from support_analytics.web.collector import (
    YOUNG_MIN,
    CollectBetweenRequests,
    Collector,
    take_over,
)


class Cycle:
    def __init__(self) -> None:
        self.me = self


def _scope(path: str) -> Scope:
    return {"type": "http", "method": "GET", "path": path, "headers": []}


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _ignore(message: Message) -> None:
    return None


class App:
    """`/cycle` leaves a reference cycle behind (`left`); `/stream` sends event-stream headers
    (`streaming`) and waits for `release`."""

    def __init__(self) -> None:
        self.left: weakref.ref[Cycle] | None = None
        self.streaming = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/stream":
            headers = [(b"content-type", b"text/event-stream; charset=utf-8")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            self.streaming.set()
            await self.release.wait()
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        # As many cycles as a small request leaves behind, one of them watched.
        cycles = [Cycle() for _ in range(2 * YOUNG_MIN)]
        self.left = weakref.ref(cycles[0])
        del cycles
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok", "more_body": False})


@contextmanager
def automatic_collection_off() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def test_a_request_s_cycles_are_collected_when_it_ends() -> None:
    app = App()
    middleware = CollectBetweenRequests(app, Collector(active=True))
    with automatic_collection_off():
        asyncio.run(middleware(_scope("/cycle"), _receive, _ignore))
        assert app.left is not None
        assert app.left() is None


def test_without_the_server_s_collector_a_cycle_waits_for_a_collection() -> None:
    # The control: the same request through an inactive collector (an app tests build).
    app = App()
    middleware = CollectBetweenRequests(app, Collector(active=False))
    with automatic_collection_off():
        asyncio.run(middleware(_scope("/cycle"), _receive, _ignore))
        assert app.left is not None
        assert app.left() is not None
        gc.collect()
        assert app.left() is None


def test_an_open_stream_does_not_count_as_a_running_request() -> None:
    app = App()
    collector = Collector(active=True)
    middleware = CollectBetweenRequests(app, collector)

    async def scenario() -> None:
        stream = asyncio.create_task(middleware(_scope("/stream"), _receive, _ignore))
        await app.streaming.wait()
        assert collector.running == 0
        await middleware(_scope("/cycle"), _receive, _ignore)
        assert app.left is not None
        assert app.left() is None
        assert not stream.done()
        app.release.set()
        await stream

    with automatic_collection_off():
        asyncio.run(scenario())
    assert collector.running == 0


def test_the_server_takes_collection_over_and_gives_it_back() -> None:
    collector = Collector()

    async def scenario() -> None:
        async with take_over(collector):
            assert collector.active
            assert not gc.isenabled()
            assert gc.get_freeze_count() > 0
        assert not collector.active

    assert gc.isenabled()
    asyncio.run(scenario())
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
