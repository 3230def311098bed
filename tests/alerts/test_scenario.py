"""The issue's journey: a rule "awaiting first reply > N" fires exactly once when a client
creates the (N+1)th ticket, its webhook arrives at a loopback receiver signed, and the rule
re-arms after an agent replies, with the production worker running (data-change trigger,
jobs, retries)."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.alerts import webhooks
from support_analytics.db.engine import Database, libpq_url
from support_analytics.jobs import worker as job_worker
from support_analytics.tenancy.scope import owner_transaction
from tests.alerts.conftest import BASE_URL, AlertWorld
from tests.alerts.receiver import Receiver, receiving

FILTERS = "priority=is:urgent&ticket_type=is:3"
# What a delivery may carry (docs/alerts.md): the rule, the value, links. Nothing else.
PAYLOAD_KEYS = {"event", "firing_id", "fired_at", "value", "rule", "url", "dashboard_url"}
RULE_KEYS = {
    "id",
    "name",
    "metric",
    "metric_label",
    "filters",
    "comparator",
    "threshold",
    "window_days",
    "sla_target",
}
ARRIVAL_SECONDS = 2.0


def awaiting(manager: TestClient) -> int:
    response = manager.get(f"/api/v1/analytics/responsiveness?{FILTERS}")
    assert response.status_code == 200, response.text
    return int(response.json()["first_response"]["awaiting"])


def add_webhook(admin: TestClient, receiver: Receiver) -> tuple[int, str]:
    response = admin.post("/api/v1/alerts/webhooks", json={"name": "pager", "url": receiver.url})
    assert response.status_code == 201, response.text
    return int(response.json()["id"]), str(response.json()["secret"])


def new_ticket(client: TestClient, title: str) -> tuple[int, float]:
    started = time.monotonic()
    response = client.post(
        "/api/v1/tickets",
        json={"title": title, "ticket_type_id": 3, "priority": "urgent", "message": "help"},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"]), started


def firings(owner: Database, rule_id: int) -> list[str]:
    with owner_transaction(owner) as session:
        return [
            str(k)
            for k in session.execute(
                text("SELECT kind FROM alert_firings WHERE rule_id = :r ORDER BY id"),
                {"r": rule_id},
            ).scalars()
        ]


def wait_for(owner: Database, rule_id: int, kinds: list[str], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while firings(owner, rule_id) != kinds:
        assert time.monotonic() < deadline, firings(owner, rule_id)
        time.sleep(0.1)


def test_awaiting_first_reply_fires_once_signed_and_rearms_after_a_reply(
    fresh_database: str, alert_world: AlertWorld
) -> None:
    world = alert_world
    manager, admin = world.clients["manager"], world.clients["admin"]
    client, agent = world.clients["client_a"], world.clients["agent"]
    with receiving() as receiver:
        webhook_id, secret = add_webhook(admin, receiver)
        n = awaiting(manager)
        created = manager.post(
            "/api/v1/alerts",
            json={
                "name": "Urgent waiting",
                "metric": "awaiting_first_reply",
                "filters": FILTERS,
                "comparator": ">",
                "threshold": n,
                "cooldown_minutes": 0,
                "webhook_id": webhook_id,
            },
        )
        assert created.status_code == 201, created.text
        rule_id = int(created.json()["id"])
        assert world.evaluate() == []  # N awaiting: not above N, nothing fires

        stop = job_worker.start_in_thread(libpq_url(fresh_database))
        try:
            time.sleep(1.0)  # the worker's LISTEN is up
            ticket_id, started = new_ticket(client, "Printer on fire")
            arrived = receiver.wait(ARRIVAL_SECONDS)
            assert arrived is not None, "no webhook within 2 s of the ticket"
            latency = arrived.at - started
            signature = arrived.headers["X-Signature"]
            assert webhooks.verify(secret, arrived.body, signature), signature
            data = json.loads(arrived.body)
            assert set(data) == PAYLOAD_KEYS
            assert set(data["rule"]) == RULE_KEYS
            assert data["event"] == "alert.fired"
            assert data["value"] == n + 1
            assert data["rule"]["id"] == rule_id
            assert data["url"] == f"{BASE_URL}/alerts/{rule_id}"

            # Exactly once: more evaluations while still above N fire nothing more.
            assert world.evaluate() == []
            assert receiver.wait(1.5) is None
            assert firings(world.owner, rule_id) == ["fired"]

            reply = agent.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "on it"})
            assert reply.status_code == 201, reply.text
            wait_for(world.owner, rule_id, ["fired", "recovered"])
            assert receiver.wait(0.5) is None  # a recovery is logged, not sent

            # Re-armed: the next crossing fires (and is delivered) again.
            new_ticket(client, "Printer still on fire")
            again = receiver.wait(10.0)
            assert again is not None
            assert json.loads(again.body)["firing_id"] != data["firing_id"]
            wait_for(world.owner, rule_id, ["fired", "recovered", "fired"])
        finally:
            stop()
    history = manager.get(f"/api/v1/alerts/{rule_id}/history").json()["rows"]
    delivered = [d for f in history for d in f["deliveries"] if d["channel"] == "webhook"]
    assert [(d["status"], d["status_code"]) for d in delivered] == [("delivered", 200)] * 2
    print(f"webhook arrived {latency:.3f} s after the ticket was created")


def test_the_worker_defers_the_minutes_evaluation_slot(
    fresh_database: str, owner_database: Database
) -> None:
    """The periodic task runs on the worker's pool: before, the worker's copy of the app
    left the tasks' own app unopened and every slot failed with AppNotOpen."""
    stop = job_worker.start_in_thread(libpq_url(fresh_database))
    try:
        deadline = time.monotonic() + 15
        while True:
            with owner_transaction(owner_database) as session:
                slots = session.execute(
                    text(
                        "SELECT count(*) FROM procrastinate_periodic_defers"
                        " WHERE task_name = 'alerts.evaluate' AND periodic_id = 'alerts'"
                    )
                ).scalar_one()
            if slots:
                break
            assert time.monotonic() < deadline, "no evaluation slot deferred within 15 s"
            time.sleep(0.2)
    finally:
        stop()
