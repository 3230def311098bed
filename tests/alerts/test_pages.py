"""The /alerts pages (list, create, detail with test, mute, subscribe) and the in-app
notification: an `alert` event on the live stream reaches signed-in internal users, never a
client, and the header asks what fired through the user's own session."""

from __future__ import annotations

from fastapi.testclient import TestClient

from support_analytics.db.engine import Database
from tests.alerts.conftest import AlertWorld
from tests.fixtures.auth import Persona, TestUser, open_session
from tests.live.serving import serving
from tests.live.sse_client import sse

FORM = {
    "name": "Open urgent",
    "metric": "open_tickets",
    "comparator": ">",
    "threshold": "0",
    "filters": "priority=is:urgent",
}


def test_pages_create_test_mute_and_subscribe(alert_world: AlertWorld) -> None:
    manager: TestClient = alert_world.clients["manager"]
    page = manager.get("/alerts")
    assert page.status_code == 200
    assert 'href="/alerts"' in page.text  # in the nav
    assert "data-alert-bell" in page.text
    assert "alerts.js" in page.text
    assert 'id="new-alert-form"' in page.text

    bad = manager.post("/alerts", data={**FORM, "filters": "priority=is:bogus"})
    assert bad.status_code == 422
    assert "filters: priority: unknown priority" in bad.text

    created = manager.post("/alerts", data=FORM, follow_redirects=False)
    assert created.status_code == 303, created.text
    detail_url = created.headers["location"].split("?")[0]
    detail = manager.get(detail_url)
    assert "Send a test now" in detail.text
    assert "Unsubscribe" in detail.text  # the creator is subscribed

    tested = manager.post(f"{detail_url}/test", follow_redirects=False)
    assert tested.status_code == 303
    assert "test" in manager.get(detail_url).text
    assert manager.post(f"{detail_url}/test").status_code == 429
    muted = manager.post(f"{detail_url}/mute", data={"minutes": "60"})
    assert "muted until" in muted.text

    agent = alert_world.clients["agent"]
    assert 'id="new-alert-form"' not in agent.get("/alerts").text
    assert agent.post("/alerts", data=FORM).status_code == 403
    assert agent.post(f"{detail_url}/test").status_code == 403
    assert "Unsubscribe" in agent.post(f"{detail_url}/subscribe").text

    client = alert_world.clients["client_a"]
    assert client.get("/alerts").status_code == 403
    assert "data-alert-bell" not in client.get("/portal").text


def test_a_firing_reaches_internal_streams_live_and_never_a_clients(
    fresh_database: str,
    alert_world: AlertWorld,
    owner_database: Database,
    personas: dict[Persona, TestUser],
) -> None:
    manager = alert_world.clients["manager"]
    created = manager.post("/api/v1/alerts", json={**FORM, "threshold": 0})
    assert created.status_code == 201, created.text
    internal = open_session(owner_database, personas["agent"])
    outsider = open_session(owner_database, personas["client_a"])
    with (
        serving(fresh_database) as base,
        sse(base, internal) as staff,
        sse(base, outsider) as other,
    ):
        [fired] = alert_world.evaluate()
        frames = staff.wait(lambda fs: any(f.event == "alert" for f in fs), timeout=5)
        [event] = [f for f in frames if f.event == "alert"]
        assert event.data["id"] == fired.firing_id
        assert event.data["client_id"] is None
        assert set(event.data) <= {"kind", "op", "id", "ticket_id", "client_id"}
        assert not [f for f in other.settle(1.0) if f.event == "alert"]
    shown = alert_world.clients["agent"].get("/api/v1/alerts/notifications").json()["rows"]
    assert shown[0]["id"] == fired.firing_id
    assert alert_world.clients["client_a"].get("/api/v1/alerts/notifications").status_code == 403
