"""Load drill: USERS simulated users at once for DURATION seconds against one server process
on loopback (the reference data), mixing analytics reads and ticket reads (internal users)
with ticket reads and ticket writes (client users, each write with its own Idempotency-Key).
Every answer must be 2xx: no 5xx, no 4xx, no transport error, no request past its bound.

Latency is recorded, not asserted (the machine is shared): p50/p95/p99 per kind of request
and throughput are printed and written to `drill.json` in the test's tmp dir; the figures
measured here are in docs/operations.md and docs/deploy.md with the machine's load.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db.engine import Database
from tests.fixtures.auth import Persona, TestUser, open_session
from tests.load.harness import server_process

pytestmark = [pytest.mark.timeout(180), pytest.mark.latency]

USERS = 32
DURATION = 20.0
THINK_SECONDS = 0.1
BOUND = 15.0  # a request slower than this is an error (a hang), whatever it answers
INTERNAL: tuple[Persona, ...] = ("agent", "manager", "admin")
CLIENTS: tuple[Persona, ...] = ("client_a", "client_b")
ANALYTICS = (
    "/api/v1/analytics/overview",
    "/api/v1/analytics/priorities",
    "/api/v1/analytics/ticket-types",
    "/api/v1/analytics/tickets-over-time",
)
TICKET_READS = ("/api/v1/tickets?page=1", "/api/v1/tickets?status=open")


@dataclass
class Record:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.seconds.setdefault(kind, []).append(seconds)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


async def _request(
    http: httpx.AsyncClient, record: Record, kind: str, path: str, *, write: str | None = None
) -> None:
    """GET `path`, or with `write` (an idempotency key) POST a new ticket titled with it."""
    started = time.monotonic()
    try:
        if write is None:
            answer = await http.get(path)
        else:
            answer = await http.post(
                path,
                json={"title": write, "ticket_type_id": 1, "priority": "low", "message": "load"},
                headers={"Idempotency-Key": write},
            )
    except httpx.HTTPError as exc:
        record.errors.append(f"{kind} {path}: {type(exc).__name__}")
        return
    elapsed = time.monotonic() - started
    if not 200 <= answer.status_code < 300:
        record.errors.append(f"{kind} {path}: {answer.status_code} {answer.text[:120]}")
    record.add(kind, elapsed)


async def _user(
    base: str, token: str, *, internal: bool, name: str, record: Record, until: float
) -> None:
    async with httpx.AsyncClient(
        base_url=base, cookies={COOKIE_NAME: token}, timeout=BOUND
    ) as http:
        for step in itertools.count():
            if time.monotonic() >= until:
                return
            if internal and step % 2 == 0:
                await _request(http, record, "analytics", ANALYTICS[step % len(ANALYTICS)])
            elif internal or step % 2 == 0:
                await _request(http, record, "ticket read", TICKET_READS[step % len(TICKET_READS)])
            else:
                key = f"drill-{name}-{step}"
                await _request(http, record, "write", "/api/v1/tickets", write=key)
            await asyncio.sleep(THINK_SECONDS)


def test_mixed_load_of_32_users_for_20_seconds_has_no_errors(
    fresh_database: str,
    owner_database: Database,
    personas: dict[Persona, TestUser],
    tmp_path: Path,
) -> None:
    users = [
        (INTERNAL[n % len(INTERNAL)] if n % 2 == 0 else CLIENTS[n % len(CLIENTS)])
        for n in range(USERS)
    ]
    tokens = [open_session(owner_database, personas[p]) for p in users]
    with server_process(fresh_database) as port:
        base = f"http://127.0.0.1:{port}"
        record = Record()

        async def drill() -> float:
            started = time.monotonic()
            until = started + DURATION
            await asyncio.gather(
                *(
                    _user(
                        base,
                        token,
                        internal=persona in INTERNAL,
                        name=str(n),
                        record=record,
                        until=until,
                    )
                    for n, (persona, token) in enumerate(zip(users, tokens, strict=True))
                )
            )
            return time.monotonic() - started

        elapsed = asyncio.run(drill())

    every = [s for values in record.seconds.values() for s in values]
    results = {
        "users": USERS,
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "errors": len(record.errors),
        "throughput_per_second": round(len(every) / elapsed, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "latency_ms": {
            kind: {
                "count": len(values),
                **{
                    name: round(_percentile(values, share) * 1000, 1)
                    for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
                },
            }
            for kind, values in sorted({**record.seconds, "all": every}.items())
        },
    }
    (tmp_path / "drill.json").write_text(json.dumps(results, indent=2))
    print(f"\nload drill ({tmp_path / 'drill.json'}):\n{json.dumps(results, indent=2)}")
    assert record.errors == []
    assert elapsed >= DURATION
    assert {kind for kind, values in record.seconds.items() if values} == {
        "analytics",
        "ticket read",
        "write",
    }
