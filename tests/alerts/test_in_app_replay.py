"""The in-app notification is a stored live event: it carries an id, so a page that was away
when an alert fired gets it on reconnecting with `Last-Event-ID`, like any ticket event; and
a client's stream never carries one, neither live nor replayed."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from support_analytics.alerts import queries
from support_analytics.db.engine import Database, libpq_url
from support_analytics.live import replay
from support_analytics.tenancy.scope import request_transaction
from tests.alerts.conftest import BASE_URL, AlertWorld
from tests.fixtures.auth import CLIENT_A_ID, Persona, TestUser, open_session
from tests.live.serving import serving
from tests.live.sse_client import Frame, last_id, sse, ticket_ids

RULE = {
    "name": "Anything open",
    "metric": "open_tickets",
    "comparator": ">",
    "threshold": 0,
    "filters": "",
}


def _new_ticket(url: str) -> int:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO tickets (client_id, ticket_type_id, priority, title)"
            " VALUES (%s, 1, 'low', 'alert replay') RETURNING id",
            (CLIENT_A_ID,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def _alerts(frames: list[Frame]) -> list[Frame]:
    return [f for f in frames if f.event == "alert"]


def test_a_firing_is_replayed_to_internal_users_after_a_reconnect_and_never_to_a_client(
    fresh_database: str,
    alert_world: AlertWorld,
    owner_database: Database,
    personas: dict[Persona, TestUser],
) -> None:
    created = alert_world.clients["manager"].post("/api/v1/alerts", json=RULE)
    assert created.status_code == 201, created.text
    rule_id = int(created.json()["id"])
    agent = open_session(owner_database, personas["agent"])
    client = open_session(owner_database, personas["client_a"])
    with serving(fresh_database) as base:
        with sse(base, agent) as staff, sse(base, client) as outsider:
            seen = _new_ticket(fresh_database)
            client_resume = last_id(outsider.wait(lambda f: seen in ticket_ids(f), timeout=10))
            staff.wait(lambda f: seen in ticket_ids(f), timeout=10)
            # Live: the firing arrives with an id (it is stored), never on the client's stream.
            [fired] = alert_world.evaluate()
            [live] = _alerts(staff.wait(lambda f: bool(_alerts(f)), timeout=10))
            assert live.id, live
            assert live.data["id"] == fired.firing_id
            assert live.data["client_id"] is None
            assert not _alerts(outsider.settle(1.0))

        # Both pages are away when the next one (a test send) fires.
        tested = queries.send_test(owner_database, rule_id, BASE_URL)
        with (
            sse(base, agent, last_event_id=live.id) as staff,
            sse(base, client, last_event_id=client_resume) as outsider,
        ):
            [replayed] = _alerts(staff.wait(lambda f: bool(_alerts(f)), timeout=10))
            assert replayed.id
            assert replayed.data["id"] == tested
            frames = outsider.settle(1.0)
            # The client's anchor is still valid: a replay (of nothing of its own), no resync.
            assert not _alerts(frames)
            assert not [f for f in frames if f.resync]

    # Row-level security on its own (the stream filters as well): replaying from the same
    # anchor, the client's role reads no alert row, the agent's reads both firings.
    with psycopg.connect(libpq_url(fresh_database)) as conn:
        anchor = conn.execute(
            "SELECT seq FROM live_events WHERE kind = 'ticket' AND row_id = %s", (seen,)
        ).fetchone()
    assert anchor is not None
    for token, expected in ((client, []), (agent, [fired.firing_id, tested])):
        with request_transaction(owner_database, token, ttl=timedelta(hours=1)) as scope:
            missed = replay.missed(scope.session, int(anchor[0]))
        assert missed.complete
        assert [e.id for e in missed.events if e.kind == "alert"] == expected
