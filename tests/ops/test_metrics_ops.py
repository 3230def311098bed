"""/metrics beyond latency and the gate: each SQLAlchemy pool's connections in use and idle,
live events delivered to streams, and whether the analytics rollups are fresh."""

from __future__ import annotations

import asyncio
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.live.channels import Event
from support_analytics.live.listener import EventHub
from tests.fixtures.auth import Persona, TestUser, sign_in

LOOPBACK = ("127.0.0.1", 50000)


def _value(metrics: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", metrics, re.MULTILINE)
    assert match, f"{series} not in /metrics"
    return float(match.group(1))


def _scrape(app: FastAPI) -> str:
    response = TestClient(app, client=LOOPBACK).get("/metrics")
    assert response.status_code == 200
    return response.text


def test_pools_events_and_rollup_freshness(
    auth_app: FastAPI, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    client = sign_in(auth_app, personas["manager"])
    assert client.get("/api/v1/analytics/overview").status_code == 200
    text_ = _scrape(auth_app)
    assert _value(text_, 'support_analytics_db_pool_in_use{pool="request"}') == 0
    assert _value(text_, 'support_analytics_db_pool_idle{pool="request"}') >= 1
    assert _value(text_, 'support_analytics_db_pool_in_use{pool="owner"}') == 0
    assert _value(text_, "support_analytics_rollups_fresh") == 1
    assert _value(text_, "support_analytics_events_delivered_total") == 0

    hub: EventHub = auth_app.state.live_hub

    async def two_streams_one_event() -> None:
        async with hub.subscribe(), hub.subscribe():
            hub.publish(Event(kind="ticket", op="insert", ticket_id=1, client_id=1))

    asyncio.run(two_streams_one_event())
    assert _value(_scrape(auth_app), "support_analytics_events_delivered_total") == 2

    with owner_database.engine.begin() as conn:
        conn.execute(text("UPDATE analytics_rollup_state SET fresh = false"))
    assert _value(_scrape(auth_app), "support_analytics_rollups_fresh") == 0
