"""Floods on loopback (issue 12 items 1 and 19): the request path must not lock up.

Before the request gate, 100 anonymous requests at once left every thread of the pool waiting
for a database connection held by requests that needed one more thread to finish: everything
stalled for the 30 s pool timeout, then answered 500. These tests bound every request (a
request that does not answer within its bound counts as a hang) and every phase, so a lock-up
fails them in well under a minute instead of hanging the suite.

Latency: the target is a signed-in p95 of 1 s during both floods. It holds on a quiet machine
(0.30-0.37 s measured on 2 cores at load 1.1-1.4) but not beside other suites (0.9-2.4 s at
load 6-12: the one worker is CPU-bound), so `make test` runs this module alone after its
parallel passes (marker `latency`, `make latency`) and the log shows the p95. Tests never
assert wall-clock targets: these assert every status and a lock-up bound, P95_BOUND_SECONDS.
Before the request gate every request hung for the 30 s pool timeout, then 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest

from support_analytics.db.engine import Database
from tests.fixtures.auth import Persona, TestUser, open_session
from tests.load.harness import (
    HANG,
    OpenStream,
    Outcome,
    Tally,
    close_streams,
    get,
    open_stream,
    server_process,
)

pytestmark = [pytest.mark.timeout(180), pytest.mark.latency]

ANONYMOUS_FLOOD = 200
FLOOD_WAVES = 4
SSE_STREAMS = 300
STREAMS_PER_SESSION = 5
SIGNED_IN_USERS = 128
USER_REQUESTS = 4
USER_THINK_SECONDS = 0.5
P95_BOUND_SECONDS = 5.0  # see the module docstring: a lock-up bound, not the 1 s target


def _tokens(database: Database, user: TestUser, count: int) -> list[str]:
    return [open_session(database, user) for _ in range(count)]


async def _gather(outcomes: list[Awaitable[Outcome]]) -> Tally:
    return Tally(list(await asyncio.gather(*outcomes)))


async def _probe_while(port: int, token: str, flood: asyncio.Task[Tally]) -> Tally:
    """Signed-in requests, one after another, for as long as the flood lasts."""
    probes = Tally()
    while not flood.done() or len(probes.outcomes) < 5:
        probes.outcomes.append(await get(port, "/api/v1/me", token=token, bound=5.0))
        await asyncio.sleep(0.1)
    return probes


async def _anonymous_flood(port: int) -> Tally:
    tally = Tally()
    for _ in range(FLOOD_WAVES):
        wave = await _gather([get(port, "/api/v1/me") for _ in range(ANONYMOUS_FLOOD)])
        tally.outcomes.extend(wave.outcomes)
    return tally


def test_anonymous_flood_and_idle_streams_leave_signed_in_requests_fast(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    stream_tokens = _tokens(
        owner_database, personas["client_a"], SSE_STREAMS // STREAMS_PER_SESSION
    )
    probe_token = open_session(owner_database, personas["agent"])

    async def scenario(port: int) -> tuple[list[OpenStream], Tally, Tally]:
        streams = await asyncio.gather(
            *(
                open_stream(port, "/api/v1/events", token, bound=15.0)
                for token in stream_tokens
                for _ in range(STREAMS_PER_SESSION)
            )
        )
        try:
            flood = asyncio.create_task(_anonymous_flood(port))
            probes = await _probe_while(port, probe_token, flood)
            return streams, await flood, probes
        finally:
            close_streams(streams)

    with server_process(fresh_database) as port:
        streams, flood, probes = asyncio.run(scenario(port))
    stream_statuses = Tally([Outcome(s.status, 0.0) for s in streams]).statuses()
    assert stream_statuses == {200: SSE_STREAMS}, stream_statuses
    assert flood.statuses() == {401: ANONYMOUS_FLOOD * FLOOD_WAVES}, flood.statuses()
    assert probes.statuses() == {200: len(probes.outcomes)}, probes.statuses()
    print(f"\nsigned-in p95 during the anonymous flood: {probes.p95():.3f}s")
    assert probes.p95() <= P95_BOUND_SECONDS, sorted(o.seconds for o in probes.outcomes)


def test_many_signed_in_users_on_one_worker_get_no_server_errors(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    tokens = _tokens(owner_database, personas["manager"], SIGNED_IN_USERS)
    paths = ("/api/v1/me", "/api/v1/analytics/priorities")

    async def user(port: int, token: str, offset: int) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for n in range(USER_REQUESTS):
            outcomes.append(await get(port, paths[(n + offset) % 2], token=token, bound=10.0))
            await asyncio.sleep(USER_THINK_SECONDS)
        return outcomes

    async def scenario(port: int) -> Tally:
        per_user = await asyncio.gather(*(user(port, t, n) for n, t in enumerate(tokens)))
        return Tally([o for outcomes in per_user for o in outcomes])

    with server_process(fresh_database) as port:
        tally = asyncio.run(scenario(port))
    statuses = tally.statuses()
    assert statuses == {200: SIGNED_IN_USERS * USER_REQUESTS}, statuses
    assert HANG not in statuses
    print(f"\np95 of {SIGNED_IN_USERS} signed-in users: {tally.p95():.3f}s")
    assert tally.p95() <= P95_BOUND_SECONDS, f"p95 {tally.p95():.3f}s"
