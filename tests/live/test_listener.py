"""NOTIFY from the database triggers -> the process's one listener -> SSE frames."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable

import psycopg

from support_analytics.db.engine import libpq_url
from support_analytics.live.channels import PER_TRANSACTION_LIMIT
from support_analytics.live.listener import Delivery, EventHub
from support_analytics.live.sse import Viewer, stream

CLIENT_A, CLIENT_B = 1, 2


def _write(url: str, sql: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(sql.encode())


def _new_ticket(client_id: int, title: str = "live") -> str:
    return (
        "INSERT INTO tickets (client_id, ticket_type_id, priority, title) "
        f"VALUES ({client_id}, 1, 'low', '{title}')"
    )


def _run(url: str, body: Callable[[EventHub], Awaitable[None]]) -> None:
    """Run `body` with a started hub on an event loop of its own thread: Playwright's sync API
    (the browser tests, same session) keeps a loop running on the main thread."""

    async def main() -> None:
        hub = EventHub(url)
        await hub.start()
        try:
            await asyncio.wait_for(hub.listening.wait(), timeout=10)
            await body(hub)
        finally:
            await hub.stop()

    failure: list[BaseException] = []

    def in_thread() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the hub test did not finish"
    if failure:
        raise failure[0]


async def _write_async(url: str, sql: str) -> None:
    await asyncio.to_thread(_write, url, sql)


def test_a_committed_write_reaches_a_subscriber_within_one_second(fresh_database: str) -> None:
    url = libpq_url(fresh_database)

    async def body(hub: EventHub) -> None:
        async with hub.subscribe() as subscription:
            await _write_async(url, _new_ticket(CLIENT_A))
            delivery = await asyncio.wait_for(subscription.get(), timeout=1.0)
        assert delivery.event.kind == "ticket"
        assert delivery.event.op == "insert"
        assert delivery.event.client_id == CLIENT_A

    _run(url, body)


def test_payloads_carry_ids_never_text(fresh_database: str) -> None:
    url = libpq_url(fresh_database)
    secret = "top-secret-title"

    async def body(hub: EventHub) -> None:
        async with hub.subscribe() as subscription:
            await _write_async(url, _new_ticket(CLIENT_A, secret))
            await _write_async(
                url,
                "INSERT INTO ticket_messages (ticket_id, from_client, message_text) "
                f"SELECT max(id), true, '{secret}' FROM tickets",
            )
            got = [await asyncio.wait_for(subscription.get(), timeout=1.0) for _ in range(2)]
        assert [d.event.kind for d in got] == ["ticket", "message"]
        assert got[1].event.client_id == CLIENT_A
        assert all(secret not in d.event.as_json() for d in got)

    _run(url, body)


def test_a_big_transaction_sends_one_bulk_event(fresh_database: str) -> None:
    url = libpq_url(fresh_database)

    async def body(hub: EventHub) -> None:
        async with hub.subscribe() as subscription:
            await _write_async(
                url,
                "INSERT INTO tickets (client_id, ticket_type_id, title) "
                "SELECT 1, 1, 'bulk ' || g FROM generate_series(1, 500) g",
            )
            got: list[Delivery] = []
            while not got or got[-1].event.kind != "bulk":
                got.append(await asyncio.wait_for(subscription.get(), timeout=1.0))
        assert len(got) == PER_TRANSACTION_LIMIT + 1
        await asyncio.sleep(0.2)
        assert subscription.overflowed is False

    _run(url, body)


async def _collect(hub: EventHub, viewer: Viewer, frames: list[str], stop: asyncio.Event) -> None:
    async for chunk in stream(hub, viewer, heartbeat=0.05, max_age=30):
        frames.append(chunk)
        if stop.is_set():
            return


def _ticket_frames(frames: list[str]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for chunk in frames:
        for line in chunk.splitlines():
            if line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
                assert isinstance(data, dict)
                out.append(data)
    return out


def test_an_event_of_client_a_never_reaches_client_b(fresh_database: str) -> None:
    url = libpq_url(fresh_database)

    async def body(hub: EventHub) -> None:
        frames: dict[str, list[str]] = {name: [] for name in ("a", "b", "internal")}
        viewers = {
            "a": Viewer("client", CLIENT_A),
            "b": Viewer("client", CLIENT_B),
            "internal": Viewer("internal", None),
        }
        stop = asyncio.Event()
        tasks = [asyncio.create_task(_collect(hub, viewers[n], frames[n], stop)) for n in frames]
        while hub.subscriber_count < 3:
            await asyncio.sleep(0.01)
        await _write_async(url, _new_ticket(CLIENT_A))
        await _write_async(url, _new_ticket(CLIENT_B))

        async def seen(name: str, n: int) -> None:
            while len(_ticket_frames(frames[name])) < n:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(
            asyncio.gather(seen("a", 1), seen("b", 1), seen("internal", 2)), timeout=1.0
        )
        await asyncio.sleep(0.2)  # room for a leak to show up
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert {e["client_id"] for e in _ticket_frames(frames["a"])} == {CLIENT_A}
        assert {e["client_id"] for e in _ticket_frames(frames["b"])} == {CLIENT_B}
        assert {e["client_id"] for e in _ticket_frames(frames["internal"])} == {
            CLIENT_A,
            CLIENT_B,
        }
        assert all(chunk.startswith(("retry:", ": heartbeat", "id:")) for chunk in frames["b"])

    _run(url, body)
