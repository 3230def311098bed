"""The ticket list's SLA due time and state, and the time of the client's last message: in the
API rows, sorted by either, and the `sla=` filter (the inbox's "At risk" view), all equal to
plain SQL over the raw tables. The oracle computes due times from the default policy's
targets (first response urgent 1 h, high 4 h, medium 8 h, low 24 h; resolution the type's
hours; calendar hours) and never reads `ticket_sla`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database
from tests.tickets.sla_oracle import clocks

WINDOW = timedelta(hours=1)

ORACLE = (
    clocks()
    + """
SELECT c.id,
       min(c.due) FILTER (WHERE c.running AND c.due IS NOT NULL),
       coalesce(bool_or(c.done IS NOT NULL AND c.done > c.due), false),
       coalesce(bool_or(c.done IS NOT NULL AND (c.due IS NULL OR c.done <= c.due)), false),
       coalesce(bool_or(c.running), false),
       (SELECT max(m.created_at) FROM ticket_messages m
         WHERE m.ticket_id = c.id AND m.from_client = true)
FROM clocks c GROUP BY c.id
"""
)


@dataclass(frozen=True)
class Expected:
    id: int
    due: datetime | None
    state: str | None
    last_client: datetime | None


def _state(
    due: datetime | None, missed: bool, met: bool, running: bool, now: datetime
) -> str | None:
    if due is not None:
        return "breached" if due < now else "at_risk" if due <= now + WINDOW else "pending"
    if missed:
        return "breached"
    if running:
        return "pending"
    return "met" if met else None


def oracle(database: Database) -> dict[int, Expected]:
    with database.engine.connect() as conn:
        rows = conn.execute(text(ORACLE)).all()
    now = datetime.now(UTC)
    return {r[0]: Expected(r[0], r[1], _state(r[1], r[2], r[3], r[4], now), r[5]) for r in rows}


def _at(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


@pytest.fixture(scope="module")
def young(owner_database: Database) -> dict[str, int]:
    """Open tickets created minutes ago, of the type with the longest resolution target, so
    every state is present now, far from any boundary: at risk (urgent, 10 min old),
    pending (low), breached (urgent, 3 h old), and one answered late that the client wrote
    on after the team's reply."""
    made: dict[str, int] = {}
    specs = {
        "at_risk": ("urgent", "10 minutes", None),
        "pending": ("low", "5 minutes", None),
        "breached": ("urgent", "3 hours", None),
        "answered_late": ("urgent", "3 hours", "2 hours"),
    }
    with owner_database.engine.begin() as conn:
        for key, (priority, age, reply_after) in specs.items():
            ticket_id = conn.execute(
                text(
                    "INSERT INTO tickets (client_id, ticket_type_id, status, priority, title,"
                    " created_at) SELECT 1, id, 'open', :p, :t, now() - CAST(:age AS interval)"
                    " FROM ticket_types ORDER BY avg_resolution_hours DESC, id LIMIT 1"
                    " RETURNING id"
                ),
                {"p": priority, "t": f"SLA {key}", "age": age},
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO ticket_messages (ticket_id, from_client, message_text,"
                    " created_at) VALUES (:i, true, 'help', now() - CAST(:age AS interval))"
                ),
                {"i": ticket_id, "age": age},
            )
            if reply_after is not None:
                conn.execute(
                    text(
                        "INSERT INTO ticket_messages (ticket_id, from_client, from_team_member_id,"
                        " message_text, created_at) VALUES (:i, false, 1, 'on it',"
                        " now() - CAST(:age AS interval) + CAST(:after AS interval)),"
                        " (:i, true, NULL, 'thanks', now() - interval '1 minute')"
                    ),
                    {"i": ticket_id, "age": age, "after": reply_after},
                )
            made[key] = int(ticket_id)
    return made


def _rows(agent: TestClient, query: str) -> tuple[list[dict[str, object]], int]:
    response = agent.get(f"/api/v1/tickets?{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    return body["rows"], int(body["total"])


def test_young_tickets_have_every_state(
    agent: TestClient, young: dict[str, int], owner_database: Database
) -> None:
    expected = oracle(owner_database)
    assert expected[young["at_risk"]].state == "at_risk"
    assert expected[young["pending"]].state == "pending"
    assert expected[young["breached"]].state == "breached"
    # Answered an hour late: the first response is missed, the resolution clock still runs.
    assert expected[young["answered_late"]].state == "pending"
    for key, ticket_id in young.items():
        row = agent.get(f"/api/v1/tickets/{ticket_id}").json()
        assert row["sla_state"] == expected[ticket_id].state, key
        assert _at(row["sla_due_at"]) == expected[ticket_id].due, key
        assert _at(row["last_client_message_at"]) == expected[ticket_id].last_client, key


@pytest.mark.parametrize("state", ["at_risk", "breached", "pending", "met"])
def test_sla_filter_lists_exactly_that_state(
    agent: TestClient, young: dict[str, int], owner_database: Database, state: str
) -> None:
    expected = oracle(owner_database)
    wanted = sorted((e for e in expected.values() if e.state == state), key=lambda e: -e.id)
    rows, total = _rows(agent, f"sla={state}&sort=-id&page_size=100")
    assert total == len(wanted)
    assert [r["id"] for r in rows] == [e.id for e in wanted[:100]]
    assert all(r["sla_state"] == state for r in rows)
    if state == "at_risk":
        assert young["at_risk"] in [r["id"] for r in rows]


@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_sla_due(
    agent: TestClient, young: dict[str, int], owner_database: Database, descending: bool
) -> None:
    expected = [e for e in oracle(owner_database).values()]
    due = sorted((e for e in expected if e.due), key=lambda e: (e.due, e.id), reverse=descending)
    rows, _ = _rows(agent, f"sort={'-' if descending else ''}sla_due&page_size=100")
    assert [(r["id"], _at(r["sla_due_at"])) for r in rows] == [(e.id, e.due) for e in due[:100]]
    # NULLs last either way.
    none_first = sorted(e.id for e in expected if e.due is None)
    last_page = len(expected) // 100 + 1
    tail, _ = _rows(agent, f"sort=sla_due&page_size=100&page={last_page}")
    assert [r["id"] for r in tail] == none_first[-len(tail) :]


@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_client_message(
    agent: TestClient, young: dict[str, int], owner_database: Database, descending: bool
) -> None:
    expected = [e for e in oracle(owner_database).values() if e.last_client is not None]
    ordered = sorted(expected, key=lambda e: (e.last_client, e.id), reverse=descending)
    rows, _ = _rows(agent, f"sort={'-' if descending else ''}client_message&page_size=100")
    assert [(r["id"], _at(r["last_client_message_at"])) for r in rows] == [
        (e.id, e.last_client) for e in ordered[:100]
    ]


def test_unknown_sla_state_is_a_422(agent: TestClient) -> None:
    response = agent.get("/api/v1/tickets?sla=late")
    assert response.status_code == 422
    assert "sla" in response.text
    assert agent.get("/api/v1/tickets?sla=").status_code == 200


PER_TARGET = clocks() + "SELECT c.id, c.target, c.due, c.done, c.running FROM clocks c"


def _target_state(due: datetime | None, done: datetime | None, running: bool, now: datetime) -> str:
    if done is not None:
        return "met" if due is None or done <= due else "breached"
    if running and due is not None:
        return "breached" if due < now else "at_risk" if due <= now + WINDOW else "pending"
    return "pending"


@pytest.mark.parametrize("target", ["first_response", "resolution"])
@pytest.mark.parametrize("state", ["at_risk", "breached", "pending", "met"])
def test_one_targets_state_lists_exactly_those_tickets(
    agent: TestClient, young: dict[str, int], owner_database: Database, target: str, state: str
) -> None:
    """`sla=first_response:breached`: that target's own state, whatever the other's."""
    with owner_database.engine.connect() as conn:
        rows = conn.execute(text(PER_TARGET)).all()
    now = datetime.now(UTC)
    wanted = sorted(
        (r[0] for r in rows if r[1] == target and _target_state(r[2], r[3], r[4], now) == state),
        reverse=True,
    )
    listed, total = _rows(agent, f"sla={target}:{state}&sort=-id&page_size=100")
    assert total == len(wanted)
    assert [r["id"] for r in listed] == wanted[:100]
    if (target, state) == ("first_response", "breached"):
        # Answered late, still open: first response breached, the one-word state pending.
        assert young["answered_late"] in [r["id"] for r in listed]


@pytest.mark.parametrize("raw", ["first_response:late", "reply:breached", ":breached", "a:b:met"])
def test_unknown_target_or_state_is_a_422(agent: TestClient, raw: str) -> None:
    response = agent.get("/api/v1/tickets", params={"sla": raw})
    assert response.status_code == 422, raw
    assert "sla" in response.text
