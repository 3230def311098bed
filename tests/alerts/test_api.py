"""`/api/v1/alerts`: who may do what (401, 403), bad input (422 naming the field, nothing
written), the test button's rate limit (429), mute, subscriptions, history, and what the
evaluator may deliver: computed under the owner's role, nothing when the owner may no longer
read, and a payload without ticket data."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.alerts import delivery, evaluate, webhooks
from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import owner_transaction
from tests.alerts.conftest import BASE_URL, AlertWorld
from tests.alerts.test_scenario import PAYLOAD_KEYS, RULE_KEYS
from tests.fixtures.auth import UserFactory
from tests.jobs.helpers import write_before

RULE = {
    "name": "Open urgent",
    "metric": "open_tickets",
    "filters": "priority=is:urgent",
    "comparator": ">",
    "threshold": 1,
}


def rule_count(owner: Database) -> int:
    with owner_transaction(owner) as session:
        return int(session.execute(text("SELECT count(*) FROM alert_rules")).scalar_one())


def create(client: TestClient, **changes: object) -> int:
    response = client.post("/api/v1/alerts", json={**RULE, **changes})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_who_may_read_write_and_add_webhooks(alert_world: AlertWorld) -> None:
    c = alert_world.clients
    assert c["anonymous"].get("/api/v1/alerts").status_code == 401
    assert c["client_a"].get("/api/v1/alerts").status_code == 403
    assert c["client_a"].post("/api/v1/alerts", json=RULE).status_code == 403
    assert c["agent"].post("/api/v1/alerts", json=RULE).status_code == 403
    rule_id = create(c["manager"])
    assert c["agent"].get(f"/api/v1/alerts/{rule_id}").status_code == 200
    assert c["agent"].post(f"/api/v1/alerts/{rule_id}/mute", json={"minutes": 5}).status_code == 403
    assert c["agent"].delete(f"/api/v1/alerts/{rule_id}").status_code == 403
    # Any internal user subscribes; the count shows it.
    assert c["agent"].put(f"/api/v1/alerts/{rule_id}/subscription").status_code == 204
    assert c["agent"].get(f"/api/v1/alerts/{rule_id}").json()["subscribed"] is True
    assert c["manager"].get(f"/api/v1/alerts/{rule_id}").json()["subscribers"] == 2
    assert c["agent"].delete(f"/api/v1/alerts/{rule_id}/subscription").status_code == 204
    hook = {"name": "h", "url": "http://127.0.0.1:9/x"}
    assert c["manager"].post("/api/v1/alerts/webhooks", json=hook).status_code == 403
    added = c["admin"].post("/api/v1/alerts/webhooks", json=hook)
    assert added.status_code == 201, added.text
    assert added.json()["secret"].startswith("whsec_")
    listed = c["agent"].get("/api/v1/alerts/webhooks").json()["rows"]
    assert [set(row) for row in listed] == [{"id", "name", "url", "created_at"}]
    assert c["admin"].delete(f"/api/v1/alerts/{rule_id}").status_code == 204
    assert c["manager"].get(f"/api/v1/alerts/{rule_id}").status_code == 404


BAD_INPUT: list[tuple[dict[str, object], str]] = [
    ({"metric": "tickets_on_fire"}, "metric"),
    ({"comparator": "=="}, "comparator"),
    ({"threshold": "many"}, "threshold"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"filters": "priority=is:bogus"}, "filters"),
    ({"filters": "colour=is:red"}, "filters"),
    ({"filters": "date=between:2025-03-02,2025-03-01"}, "filters"),
    ({"window_days": 7}, "window_days"),
    ({"metric": "csat", "filters": "date=on:2025-03-01"}, "filters"),
    ({"metric": "new_tickets", "window_days": 0}, "window_days"),
    ({"sla_target": "resolution"}, "sla_target"),
    ({"cooldown_minutes": -1}, "cooldown_minutes"),
    ({"webhook_id": 999}, "webhook_id"),
    ({"owner_id": 1}, "owner_id"),
]


def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(alert_world: AlertWorld) -> None:
    manager = alert_world.clients["manager"]
    for changes, field in BAD_INPUT:
        response = manager.post("/api/v1/alerts", json={**RULE, **changes})
        assert response.status_code == 422, (changes, response.text)
        assert field in json.dumps(response.json()["error"]), (changes, response.json())
    assert rule_count(alert_world.owner) == 0
    rule_id = create(manager)
    for changes, field in BAD_INPUT[:10]:
        response = manager.put(f"/api/v1/alerts/{rule_id}", json={**RULE, **changes})
        assert response.status_code == 422, (changes, response.text)
        assert field in json.dumps(response.json()["error"]), (changes, response.json())
    assert manager.get(f"/api/v1/alerts/{rule_id}").json()["filters"] == RULE["filters"]
    admin = alert_world.clients["admin"]
    for url in ("http://169.254.169.254/latest", "ftp://127.0.0.1/x", "http://u:p@127.0.0.1/"):
        response = admin.post("/api/v1/alerts/webhooks", json={"name": "h", "url": url})
        assert response.status_code == 422, (url, response.text)
        assert response.json()["error"]["fields"][0]["name"] == "url"


def test_send_test_is_rate_limited_and_mute_suppresses_delivery(alert_world: AlertWorld) -> None:
    manager = alert_world.clients["manager"]
    rule_id = create(manager)
    first = manager.post(f"/api/v1/alerts/{rule_id}/test")
    assert first.status_code == 202, first.text
    second = manager.post(f"/api/v1/alerts/{rule_id}/test")
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) >= 1
    history = manager.get(f"/api/v1/alerts/{rule_id}/history").json()["rows"]
    assert [f["kind"] for f in history] == ["test"]
    # The manager subscribed on creation: the test went to the mail queue for them.
    assert [d["channel"] for d in history[0]["deliveries"]] == ["mail"]

    # Muted: a crossing is logged as a suppressed firing, nothing is delivered.
    rule_id = create(manager, name="Muted", cooldown_minutes=0)
    muted = manager.post(f"/api/v1/alerts/{rule_id}/mute", json={"minutes": 60})
    assert muted.status_code == 200
    assert muted.json()["muted_until"] is not None
    fired = [t for t in alert_world.evaluate() if t.rule_id == rule_id]
    assert [(t.kind, t.suppressed) for t in fired] == [("fired", "muted")]
    history = manager.get(f"/api/v1/alerts/{rule_id}/history").json()["rows"]
    assert history[0]["suppressed"] == "muted"
    assert history[0]["deliveries"] == []
    assert (
        manager.post(f"/api/v1/alerts/{rule_id}/mute", json={"minutes": None}).json()["muted_until"]
        is None
    )


def test_the_value_is_the_owners_and_a_disabled_owner_evaluates_nothing(
    alert_world: AlertWorld,
) -> None:
    manager = alert_world.clients["manager"]
    rule_id = create(manager, threshold=0)
    open_urgent = manager.get("/api/v1/analytics/overview?priority=is:urgent").json()
    [fired] = alert_world.evaluate()
    assert fired.value == open_urgent["open_tickets"]
    with owner_transaction(alert_world.owner) as session:
        data = delivery.payload(session.connection(), fired.firing_id, "https://x.example")
        session.execute(
            text("UPDATE users SET status = 'disabled' WHERE email = 'manager@tests.example'")
        )
        session.execute(
            text("UPDATE alert_state SET firing = false WHERE rule_id = :r"), {"r": rule_id}
        )
    assert set(data) == PAYLOAD_KEYS
    assert set(data["rule"]) == RULE_KEYS
    # The owner can no longer read anything: the rule is not evaluated, nothing is sent.
    assert alert_world.evaluate() == []


def test_signature_verifies_and_refuses_tampering() -> None:
    body = b'{"a":1}'
    header = webhooks.signature("whsec_k", body)
    assert webhooks.verify("whsec_k", body, header)
    assert not webhooks.verify("whsec_k", body + b" ", header)
    assert not webhooks.verify("whsec_other", body, header)
    assert not webhooks.verify("whsec_k", body, webhooks.signature("whsec_k", body, timestamp=1))


def test_concurrent_evaluations_fire_once(alert_world: AlertWorld) -> None:
    """Two workers (or the minute's run and a data-change run) evaluating at the same time:
    the advisory lock lets one decide; the other sees the rule already firing."""
    rule_id = create(alert_world.clients["manager"], threshold=0)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda _: alert_world.evaluate(), range(2)))
    assert sorted(len(r) for r in runs) == [0, 1]
    with owner_transaction(alert_world.owner) as session:
        kinds = session.execute(
            text("SELECT kind FROM alert_firings WHERE rule_id = :r"), {"r": rule_id}
        ).scalars()
        assert list(kinds) == ["fired"]


# One open urgent ticket becomes low: the open urgent count drops by one.
_OPEN_URGENT = "priority = 'urgent' AND status IN ('open', 'in_progress')"
_ONE_URGENT_LESS = f"""
UPDATE tickets SET priority = 'low'
 WHERE id = (SELECT min(id) FROM tickets WHERE {_OPEN_URGENT})
"""


def test_an_evaluation_reads_all_its_owners_rules_in_one_snapshot(
    fresh_database: str, owner_database: Database, user_factory: UserFactory
) -> None:
    """Two rules of one owner over the same number, each computed in statements of its own:
    a write committed right before the second rule's reads must not reach them. Under READ
    COMMITTED it did: the rules disagreed about one moment and only the first fired."""
    manager = user_factory.create(Role.MANAGER)
    with owner_transaction(owner_database) as session:
        before = session.execute(
            text(f"SELECT count(*) FROM tickets WHERE {_OPEN_URGENT}")
        ).scalar_one()
        rules = [
            session.execute(
                text(
                    "INSERT INTO alert_rules (owner_id, name, metric, filters, comparator,"
                    " threshold) VALUES (:owner, :name, 'open_tickets', 'priority=is:urgent',"
                    " '>', :threshold) RETURNING id"
                ),
                {"owner": manager.id, "name": name, "threshold": before - 0.5},
            ).scalar_one()
            for name in ("one", "two")
        ]
    savepoints: list[str] = []

    def second_rule(statement: str, _parameters: object) -> bool:
        if statement.startswith("SAVEPOINT"):  # each rule's value has one of its own
            savepoints.append(statement)
        return len(savepoints) == 2

    requests = connect_for_requests(fresh_database, pool_size=1)
    try:

        def evaluation() -> list[tuple[int, str, float | None]]:
            done = evaluate.evaluate(owner_database, requests, ZoneInfo("UTC"), BASE_URL)
            return sorted((t.rule_id, t.kind, t.value) for t in done)

        with write_before(requests.engine, fresh_database, _ONE_URGENT_LESS, second_rule) as wrote:
            fired = evaluation()
        recovered = evaluation()  # the write did land: one fewer, and both recover
    finally:
        requests.engine.dispose()
    assert wrote, "the rules' values are no longer read one savepoint each: test the new way"
    assert fired == [(rule, "fired", before) for rule in rules]
    assert recovered == [(rule, "recovered", before - 1) for rule in rules]
