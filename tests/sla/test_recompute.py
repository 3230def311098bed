"""A policy or calendar edit recomputes every ticket's SLA as a job: the edit's commit queues
it (it does not wait for it), progress is visible in the API and on the admin page, the SLA
numbers say they are being recomputed until it is done, a later edit supersedes an
unfinished one, and afterwards the numbers are exact (plain SQL and the default-policy
oracle)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.db.engine import libpq_url
from support_analytics.jobs import tasks
from tests.analytics import oracle
from tests.analytics.oracle import FilterSpec
from tests.fixtures.auth import ApiClientFactory
from tests.sla.recompute_helpers import finish_recompute
from tests.sla.test_state import UTC_ZONE, check

POLICIES = "/api/v1/sla/policies"
RECOMPUTE = "/api/v1/sla/recompute"
Conn = psycopg.Connection[tuple[object, ...]]

TWO_AND_TEN = {
    "rules": [
        {"priority": p, "first_response_hours": 2, "resolution_hours": 10}
        for p in ("low", "medium", "high", "urgent")
    ]
    + [{"first_response_hours": 3}]
}
# Every due time equals creation + the new targets (NULL priority: 3 h and the type's hours).
WRONG_DUE_TIMES = """SELECT count(*) FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
  WHERE s.due_at IS DISTINCT FROM t.created_at + CASE
    WHEN s.target = 'resolution' AND t.priority IS NOT NULL THEN interval '10 hours'
    WHEN s.target = 'resolution' THEN (SELECT avg_resolution_hours FROM ticket_types y
                                        WHERE y.id = t.ticket_type_id) * interval '1 hour'
    WHEN t.priority IS NULL THEN interval '3 hours'
    ELSE interval '2 hours' END"""


@pytest.fixture
def owner(fresh_database: str) -> Iterator[Conn]:
    with psycopg.connect(libpq_url(fresh_database), autocommit=True) as conn:
        yield conn


def _one(conn: Conn, sql: str, *params: object) -> object:
    row = conn.execute(sql.encode(), params).fetchone()
    assert row is not None
    return row[0]


def test_an_edit_queues_a_batched_recompute_with_progress(
    api_client_factory: ApiClientFactory,
    owner: Conn,
    fresh_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = api_client_factory("admin")
    agent = api_client_factory("agent")
    assert agent.get(RECOMPUTE).json() == {"recomputing": False, "latest": None}
    default = [
        {k: v for k, v in rule.items() if k != "id"} for rule in admin.get(POLICIES).json()["rules"]
    ]
    assert admin.put(POLICIES, json=TWO_AND_TEN).status_code == 200

    # Queued, not done: the numbers say so, and most due times are still the old ones.
    state = agent.get(RECOMPUTE).json()
    assert state["recomputing"] is True
    assert state["latest"]["status"] == "queued"
    assert state["latest"]["total"] is None
    first = state["latest"]["id"]
    sla = agent.get("/api/v1/analytics/responsiveness").json()["sla"]
    assert sla["recomputing"]["id"] == first
    breaches = agent.get("/api/v1/analytics/sla-breaches?state=breached").json()
    assert breaches["recomputing"]["id"] == first
    assert int(str(_one(owner, WRONG_DUE_TIMES))) > 0

    # One batch: progress in the API and on the admin page.
    assert _one(owner, "SELECT sla_recompute_batch(%s, 1000)", first) == "more"
    latest = agent.get(RECOMPUTE).json()["latest"]
    tickets = int(str(_one(owner, "SELECT count(*) FROM tickets")))
    assert (latest["status"], latest["done"], latest["total"]) == ("running", 1000, tickets)
    assert latest["pct"] == pytest.approx(100_000 / tickets)
    page = admin.get("/admin/sla").text
    assert "Recomputing" in page
    assert f"1,000 of {tickets:,}" in page

    # A later edit supersedes it: the old request stops at its next batch.
    admin.put(POLICIES, json={"rules": [*TWO_AND_TEN["rules"][:4], {"first_response_hours": 3}]})
    assert _one(owner, "SELECT status FROM sla_recompute WHERE id = %s", first) == "superseded"
    assert _one(owner, "SELECT sla_recompute_batch(%s, 1000)", first) == "stopped"

    monkeypatch.setattr(tasks, "SLA_RECOMPUTE_BATCH", 7000)
    finish_recompute(fresh_database)
    state = agent.get(RECOMPUTE).json()
    assert state["recomputing"] is False
    latest = state["latest"]
    assert (latest["status"], latest["done"], latest["total"]) == ("done", tickets, tickets)
    assert latest["pct"] == 100.0
    assert agent.get("/api/v1/analytics/responsiveness").json()["sla"]["recomputing"] is None
    assert _one(owner, WRONG_DUE_TIMES) == 0
    assert _one(owner, "SELECT count(*) FROM ticket_sla") == 2 * tickets
    assert "Recomputing" not in admin.get("/admin/sla").text

    # Back to the default policy: the numbers equal the independent oracle again.
    assert admin.put(POLICIES, json={"rules": default}).status_code == 200
    finish_recompute(fresh_database)
    engine = create_engine(fresh_database, connect_args={"options": "-c timezone=UTC"})
    try:
        with oracle.connect(fresh_database) as conn, Session(engine) as session:
            check(session, conn, FilterSpec(), UTC_ZONE)
    finally:
        engine.dispose()


def test_a_recompute_whose_job_was_aborted_resumes_when_a_worker_starts(
    owner: Conn, fresh_database: str
) -> None:
    """A worker stopped mid-recompute aborts the job after its grace period (procrastinate
    never retries an aborted job), which left the request `running` for good and the SLA
    numbers saying so. A starting worker queues it again; it carries on from its last batch."""
    owner.execute(
        b"UPDATE sla_policies SET first_response_hours = 2 WHERE priority = 'urgent'"
        b" AND ticket_type_id IS NULL AND plan IS NULL"
    )
    # Where the stop left it: one batch done, the job aborted.
    assert _one(owner, "SELECT sla_recompute_batch(max(id), 5000) FROM sla_recompute") == "more"
    owner.execute(b"UPDATE procrastinate_jobs SET status = 'aborted'")
    finish_recompute(fresh_database)
    assert _one(owner, "SELECT done FROM sla_recompute ORDER BY id DESC LIMIT 1") == _one(
        owner, "SELECT count(*) FROM tickets"
    )
