"""/api/v1/sla/policies, /api/v1/sla/calendar and /api/v1/analytics/sla-breaches over HTTP:
who may read and write, 422s naming the field with nothing written, edits recomputing every
ticket's SLA (through the recompute job), breaches equal to plain SQL, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import psycopg
import pytest

from support_analytics.db.engine import libpq_url
from tests.fixtures.auth import ApiClientFactory
from tests.sla.recompute_helpers import finish_recompute

POLICIES = "/api/v1/sla/policies"
CALENDAR = "/api/v1/sla/calendar"
BREACHES = "/api/v1/analytics/sla-breaches"

BERLIN = {
    "timezone": "Europe/Berlin",
    "hours": {
        str(d): [{"start": "09:00", "end": "12:30"}, {"start": "13:30", "end": "17:00"}]
        for d in range(1, 6)
    },
    "holidays": [{"day": "2025-10-03", "name": "Unity Day"}],
}


@pytest.fixture
def owner(fresh_database: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(libpq_url(fresh_database), autocommit=True) as conn:
        yield conn


def _one(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> object:
    row = conn.execute(sql.encode()).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize("url", [POLICIES, CALENDAR, f"{BREACHES}?state=breached"])
def test_only_internal_users_read(api_client_factory: ApiClientFactory, url: str) -> None:
    assert api_client_factory("anonymous").get(url).status_code == 401
    assert api_client_factory("client_a").get(url).status_code == 403
    assert api_client_factory("agent").get(url).status_code == 200


def test_the_default_policy_and_calendar(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    rules = agent.get(POLICIES).json()["rules"]
    first = {r["priority"]: r["first_response_hours"] for r in rules}
    assert {k: float(v) if v is not None else None for k, v in first.items()} == {
        "urgent": 1.0,
        "high": 4.0,
        "medium": 8.0,
        "low": 24.0,
        None: None,
    }
    assert all(r["resolution_hours"] is None for r in rules)
    assert {r["first_response_basis"] for r in rules} == {"calendar"}
    calendar = agent.get(CALENDAR).json()
    assert calendar["timezone"] == "UTC"
    assert calendar["hours"] == {str(d): [{"start": "09:00", "end": "17:00"}] for d in range(1, 6)}
    assert calendar["holidays"] == []


def test_only_admins_write(api_client_factory: ApiClientFactory) -> None:
    body = {"rules": [{"priority": "urgent", "first_response_hours": 2}]}
    for persona in ("agent", "manager"):
        client = api_client_factory(persona)
        assert client.put(POLICIES, json=body).status_code == 403
        assert client.patch(CALENDAR, json={"timezone": "Europe/Berlin"}).status_code == 403
    assert api_client_factory("client_a").put(POLICIES, json=body).status_code == 403


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (POLICIES, {"rules": [{"priority": "urgent", "first_response_hours": -1}]}, "rules"),
        (POLICIES, {"rules": [{"priority": "asap", "first_response_hours": 1}]}, "priority"),
        (POLICIES, {"rules": [{"priority": "low", "first_response_basis": "x"}]}, "basis"),
        (POLICIES, {"rules": [{"ticket_type_id": 999}]}, "rules[0].ticket_type_id"),
        (POLICIES, {"rules": [{"priority": "low"}, {"priority": "low"}]}, "rules[1]"),
        (POLICIES, {"rules": []}, "rules"),
        (CALENDAR, {"timezone": "Mars/Olympus"}, "timezone"),
        (CALENDAR, {"hours": {"1": [{"start": "17:00", "end": "09:00"}]}}, "hours"),
        (CALENDAR, {"hours": {"8": []}}, "hours"),
        (CALENDAR, {"hours": {"1": [{"start": "9", "end": "24:00"}]}}, "start"),
        (CALENDAR, {"holidays": [{"day": "2025-02-30"}]}, "day"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    api_client_factory: ApiClientFactory, url: str, body: dict[str, object], field: str
) -> None:
    admin = api_client_factory("admin")
    before = admin.get(url).json()
    response = admin.patch(url, json=body)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert admin.get(url).json() == before


def test_policy_edit_recomputes_every_ticket(
    api_client_factory: ApiClientFactory,
    owner: psycopg.Connection[tuple[object, ...]],
    fresh_database: str,
) -> None:
    admin = api_client_factory("admin")
    body = {
        "rules": [
            {"priority": p, "first_response_hours": 2, "resolution_hours": 10}
            for p in ("low", "medium", "high", "urgent")
        ]
        + [{"first_response_hours": 3}]
    }
    response = admin.put(POLICIES, json=body)
    assert response.status_code == 200, response.text
    assert len(response.json()["rules"]) == 5
    finish_recompute(fresh_database)
    wrong = _one(
        owner,
        """SELECT count(*) FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
           WHERE s.due_at IS DISTINCT FROM t.created_at + CASE
             WHEN s.target = 'resolution' AND t.priority IS NOT NULL THEN interval '10 hours'
             WHEN s.target = 'resolution' THEN (SELECT avg_resolution_hours FROM ticket_types y
                                                 WHERE y.id = t.ticket_type_id) * interval '1 hour'
             WHEN t.priority IS NULL THEN interval '3 hours'
             ELSE interval '2 hours' END""",
    )
    assert wrong == 0
    # PATCH replaces one rule in place and keeps the others.
    patched = admin.patch(
        POLICIES, json={"rules": [{"priority": "urgent", "first_response_hours": 0.5}]}
    ).json()["rules"]
    assert len(patched) == 5
    finish_recompute(fresh_database)
    assert (
        _one(
            owner,
            """SELECT count(*) FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
           WHERE s.target = 'first_response' AND t.priority = 'urgent'
             AND s.due_at <> t.created_at + interval '30 minutes'""",
        )
        == 0
    )


def test_calendar_edit_recomputes_business_targets(
    api_client_factory: ApiClientFactory,
    owner: psycopg.Connection[tuple[object, ...]],
    fresh_database: str,
) -> None:
    admin = api_client_factory("admin")
    response = admin.put(CALENDAR, json=BERLIN)
    assert response.status_code == 200, response.text
    assert response.json() == BERLIN
    assert admin.get(CALENDAR).json() == BERLIN
    admin.patch(
        POLICIES,
        json={
            "rules": [
                {"priority": "high", "first_response_hours": 4, "first_response_basis": "business"}
            ]
        },
    )
    finish_recompute(fresh_database)
    # Independent check: business seconds from creation to due, walked by minutes over the
    # calendar's wall clock (the part of each minute inside the span), equal 4 hours for every
    # high-priority ticket of the week around the holiday.
    wrong = _one(
        owner,
        """SELECT count(*) FROM (
             SELECT s.ticket_id,
               (SELECT sum(extract(epoch FROM least(m + interval '1 minute', s.due_at)
                                             - greatest(m, t.created_at)))
                FROM generate_series(date_trunc('minute', t.created_at), s.due_at,
                                     interval '1 minute') m
                WHERE m < s.due_at
                  AND extract(isodow FROM m AT TIME ZONE 'Europe/Berlin') BETWEEN 1 AND 5
                  AND (m AT TIME ZONE 'Europe/Berlin')::date <> '2025-10-03'
                  AND (((m AT TIME ZONE 'Europe/Berlin')::time >= '09:00'
                        AND (m AT TIME ZONE 'Europe/Berlin')::time < '12:30')
                    OR ((m AT TIME ZONE 'Europe/Berlin')::time >= '13:30'
                        AND (m AT TIME ZONE 'Europe/Berlin')::time < '17:00'))) AS seconds
             FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
             WHERE s.target = 'first_response' AND t.priority = 'high'
               AND t.created_at >= '2025-09-29' AND t.created_at < '2025-10-07'
           ) x
           WHERE x.seconds IS DISTINCT FROM 14400""",
    )
    assert wrong == 0
    checked = _one(
        owner,
        """SELECT count(*) FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
           WHERE s.target = 'first_response' AND t.priority = 'high' AND s.basis = 'business'""",
    )
    assert isinstance(checked, int)
    assert checked > 0


def test_breaches_equal_plain_sql_and_csv(
    api_client_factory: ApiClientFactory, owner: psycopg.Connection[tuple[object, ...]]
) -> None:
    agent = api_client_factory("agent")
    page = agent.get(f"{BREACHES}?state=breached&target=resolution&page=2&page_size=7").json()
    total = _one(
        owner,
        """SELECT count(*) FROM tickets t JOIN ticket_types y ON y.id = t.ticket_type_id
           WHERE CASE WHEN t.status IN ('open', 'in_progress') THEN now() ELSE t.resolved_at END
                 > t.created_at + y.avg_resolution_hours * interval '1 hour'""",
    )
    assert page["total"] == total
    assert page["page"] == 2
    assert len(page["rows"]) == 7
    overs = [r["over_by_hours"] for r in page["rows"]]
    assert overs == sorted(overs, reverse=True)
    assert {r["state"] for r in page["rows"]} == {"breached"}
    response = agent.get(f"{BREACHES}?state=breached&target=resolution&format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == total
    assert rows[7]["ticket_id"] == str(page["rows"][0]["ticket_id"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=late", "state"),
        ("target=reply", "target"),
        ("window=0", "window"),
        ("page=0", "page"),
        ("priority=asap", "priority"),
        ("colour=red", "colour"),
    ],
)
def test_breaches_bad_query_names_the_field(
    api_client_factory: ApiClientFactory, query: str, field: str
) -> None:
    response = api_client_factory("agent").get(f"{BREACHES}?{query}")
    assert response.status_code == 422
    assert field in response.text


def test_responsiveness_carries_the_sla_block(
    api_client_factory: ApiClientFactory, owner: psycopg.Connection[tuple[object, ...]]
) -> None:
    body = api_client_factory("agent").get("/api/v1/analytics/responsiveness?priority=is:high")
    assert body.status_code == 200, body.text
    sla = body.json()["sla"]
    total = _one(owner, "SELECT count(*) FROM tickets WHERE priority = 'high'")
    overdue = _one(
        owner,
        """SELECT count(*) FROM tickets t JOIN ticket_types y ON y.id = t.ticket_type_id
           WHERE t.priority = 'high' AND CASE WHEN t.status IN ('open', 'in_progress')
                 THEN now() ELSE t.resolved_at END
                 > t.created_at + y.avg_resolution_hours * interval '1 hour'""",
    )
    late_replies = _one(
        owner,
        """SELECT count(*) FROM tickets t WHERE t.priority = 'high' AND (
             SELECT min(created_at) FROM ticket_messages m
             WHERE m.ticket_id = t.id AND NOT m.from_client) > t.created_at + interval '4 hours'""",
    )
    resolution, first = sla["resolution"], sla["first_response"]
    assert resolution["breached"] == overdue
    assert resolution["met"] + resolution["breached"] + resolution["pending"] == total
    assert first["breached"] == late_replies
    assert first["compliance_pct"] == pytest.approx(
        100 * first["met"] / (first["met"] + first["breached"])
    )
