"""Webhook delivery through the production worker: a refused POST is retried with a growing
wait and each attempt is logged with its status code; a host taken off the allow-list since
is never contacted."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from support_analytics.alerts import webhooks
from support_analytics.config import get_settings
from support_analytics.db.engine import Database
from support_analytics.tenancy.scope import owner_transaction
from tests.alerts.conftest import AlertWorld
from tests.alerts.receiver import receiving
from tests.jobs.helpers import run_worker_until_idle


def deliveries(owner: Database) -> list[tuple[str, int, int | None]]:
    with owner_transaction(owner) as session:
        return [
            (str(r.status), int(r.attempts), r.status_code)
            for r in session.execute(
                text("SELECT status, attempts, status_code FROM alert_deliveries ORDER BY id")
            )
        ]


def retry_wait(owner: Database) -> float:
    with owner_transaction(owner) as session:
        waited = session.execute(
            text(
                "SELECT extract(epoch FROM scheduled_at - now()) FROM procrastinate_jobs"
                " WHERE task_name = 'alerts.webhook'"
            )
        ).scalar_one()
        session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now()"))
    return float(waited)


def test_a_refused_webhook_is_retried_and_each_attempt_logged(
    monkeypatch: pytest.MonkeyPatch, fresh_database: str, alert_world: AlertWorld
) -> None:
    admin, manager = alert_world.clients["admin"], alert_world.clients["manager"]
    with receiving() as receiver:
        hook = admin.post("/api/v1/alerts/webhooks", json={"name": "r", "url": receiver.url})
        secret = hook.json()["secret"]
        rule = {
            "name": "Any open",
            "metric": "open_tickets",
            "comparator": ">",
            "threshold": 0,
            "cooldown_minutes": 0,
            "webhook_id": hook.json()["id"],
            "subscribe": False,
        }
        assert manager.post("/api/v1/alerts", json=rule).status_code == 201
        receiver.status[0] = 500
        [fired] = alert_world.evaluate()
        run_worker_until_idle(fresh_database)
        first = receiver.wait(5)
        assert first is not None
        assert deliveries(alert_world.owner) == [("pending", 1, 500)]
        assert retry_wait(alert_world.owner) > 3  # waits 5 s, then 11, 29, ...

        receiver.status[0] = 200
        run_worker_until_idle(fresh_database)
        second = receiver.wait(5)
        assert second is not None
        assert deliveries(alert_world.owner) == [("delivered", 2, 200)]
        for arrived in (first, second):
            assert webhooks.verify(secret, arrived.body, arrived.headers["X-Signature"])
            assert json.loads(arrived.body)["firing_id"] == fired.firing_id

        # The host is no longer allowed: the next delivery fails without a POST.
        monkeypatch.setenv("SUPPORT_ANALYTICS_WEBHOOK_ALLOWED_HOSTS", "hooks.example.com")
        get_settings.cache_clear()
        assert manager.post(f"/api/v1/alerts/{rule_id(alert_world)}/test").status_code == 202
        run_worker_until_idle(fresh_database)
        assert receiver.wait(1.0) is None
        assert deliveries(alert_world.owner)[-1] == ("failed", 1, None)


def rule_id(world: AlertWorld) -> int:
    rows = world.clients["manager"].get("/api/v1/alerts").json()["rows"]
    return int(rows[0]["id"])
