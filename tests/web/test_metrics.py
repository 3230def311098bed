"""/metrics: Prometheus text with latency per route template and status, the request gate and
the live streams; open to loopback only unless configured."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from support_analytics.config import Settings
from support_analytics.tenancy.gate import RequestGate
from support_analytics.web.app import create_app

LOOPBACK = ("127.0.0.1", 50000)


def test_latency_by_route_template_and_status_and_the_gauges(auth_app: FastAPI) -> None:
    client = TestClient(auth_app, client=LOOPBACK, raise_server_exceptions=False)
    assert client.get("/api/v1/tickets/987654").status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page/4242").status_code == 404

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'support_analytics_request_duration_seconds_count{method="GET",'
        'route="/api/v1/tickets/{ticket_id}",status="401"} 1.0'
    ) in text
    assert (
        'support_analytics_request_duration_seconds_count{method="GET",route="/healthz",'
        'status="200"} 1.0'
    ) in text
    assert 'route="<unmatched>",status="404"' in text
    assert "987654" not in text
    assert "4242" not in text
    assert "support_analytics_request_gate_slots 10.0" in text
    assert "support_analytics_request_gate_in_use 0.0" in text
    assert "support_analytics_request_gate_waiting 0.0" in text
    assert "support_analytics_sse_connections 0.0" in text


@pytest.mark.parametrize("peer", [("203.0.113.9", 4000), ("10.0.0.1", 4000), ("testclient", 1)])
def test_closed_to_other_addresses_by_default(auth_app: FastAPI, peer: tuple[str, int]) -> None:
    response = TestClient(auth_app, client=peer).get("/metrics")
    assert response.status_code == 403
    assert "support_analytics_request" not in response.text


def test_allowed_networks_are_configurable() -> None:
    app = create_app(
        Settings(
            database_url="postgresql://nobody@/never_connected",
            metrics_allowed_networks="203.0.113.0/24, ::1",
        )
    )
    assert TestClient(app, client=("203.0.113.77", 1)).get("/metrics").status_code == 200
    assert TestClient(app, client=("::1", 1)).get("/metrics").status_code == 200
    assert TestClient(app, client=LOOPBACK).get("/metrics").status_code == 403


def test_a_bad_network_stops_the_app_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="METRICS_ALLOWED_NETWORKS: 'not-a-net'"):
        create_app(
            Settings(
                database_url="postgresql://nobody@/never_connected",
                metrics_allowed_networks="127.0.0.1,not-a-net",
            )
        )


def test_the_gate_counts_requests_waiting_for_a_slot() -> None:
    async def scenario() -> list[int]:
        gate = RequestGate(1, wait_seconds=5)
        seen: list[int] = []
        async with gate.admitted():
            waiter = asyncio.create_task(gate.admitted().__aenter__())
            for _ in range(100):  # bounded: until the waiter queues
                await asyncio.sleep(0.01)
                if gate.waiting:
                    break
            seen += [gate.in_use, gate.waiting]
        await waiter
        seen.append(gate.waiting)
        return seen

    assert asyncio.run(scenario()) == [1, 1, 0]
