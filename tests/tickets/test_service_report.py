"""A client's service report (`GET /api/v1/tickets/report` and `/portal/report`): through the
client's own role and row-level security, each client sees exactly the numbers plain SQL
gives over its own company's tickets (SLA states from the default policy, never read from
`ticket_sla`), whatever the period; internal users get 403, a bad period 422 naming `date`."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from support_analytics.db.engine import Database
from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID, ApiClientFactory, Persona
from tests.tickets.sla_oracle import clocks

# (parameter, SQL bounds on created_at in UTC, the tests' reporting zone)
PERIODS = (
    ("", "true"),
    (
        "between:2025-01-01,2025-03-31",
        "t.created_at >= '2025-01-01' AND t.created_at < '2025-04-01'",
    ),
    ("on_or_after:2025-06-01", "t.created_at >= '2025-06-01'"),
    ("on:2024-02-30", None),  # not a day: 422
)

ORACLE = """
, states AS (
    SELECT target,
           CASE WHEN done IS NOT NULL AND (due IS NULL OR done <= due) THEN 'met'
                WHEN (done IS NOT NULL AND done > due) OR (running AND due < now())
                THEN 'breached' ELSE 'pending' END AS state
    FROM clocks
)
SELECT (SELECT count(*) FROM base),
       (SELECT count(first_reply) FROM base),
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY
            greatest(extract(epoch FROM first_reply - created_at) / 3600, 0)) FROM base),
       (SELECT json_object_agg(target || ':' || state, n) FROM
            (SELECT target, state, count(*) AS n FROM states GROUP BY 1, 2) c)
"""


def expected(database: Database, client_id: int, bounds: str) -> dict[str, object]:
    with database.engine.connect() as conn:
        tickets, replied, median, states = conn.execute(
            text(clocks(f"t.client_id = :client AND {bounds}") + ORACLE),
            {"client": client_id},
        ).one()
    states = states or {}
    out: dict[str, object] = {
        "tickets": tickets,
        "replied": replied,
        "median_first_response_hours": None if median is None else round(float(median), 9),
    }
    for target in ("first_response", "resolution"):
        met, breached = states.get(f"{target}:met", 0), states.get(f"{target}:breached", 0)
        out[target] = {
            "met": met,
            "breached": breached,
            "pending": states.get(f"{target}:pending", 0),
            "compliance_pct": None
            if met + breached == 0
            else round(100.0 * met / (met + breached), 9),
        }
    return out


def _rounded(body: dict[str, object]) -> dict[str, object]:
    out = {k: body[k] for k in ("tickets", "replied")}
    median = body["median_first_response_hours"]
    out["median_first_response_hours"] = None if median is None else round(float(str(median)), 9)
    for target in ("first_response", "resolution"):
        block = body[target]
        assert isinstance(block, dict)
        pct = block["compliance_pct"]
        out[target] = {**block, "compliance_pct": None if pct is None else round(float(pct), 9)}
    return out


@pytest.mark.parametrize(
    ("persona", "client_id"), [("client_a", CLIENT_A_ID), ("client_b", CLIENT_B_ID)]
)
def test_each_client_sees_its_own_numbers(
    api_client_factory: ApiClientFactory,
    owner_database: Database,
    persona: Persona,
    client_id: int,
) -> None:
    client = api_client_factory(persona)
    for date, bounds in PERIODS:
        response = client.get("/api/v1/tickets/report", params={"date": date} if date else {})
        if bounds is None:
            assert response.status_code == 422
            assert "date" in response.text
            continue
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["period"] == (date or None)
        assert _rounded(body) == expected(owner_database, client_id, bounds), date
        assert body["tickets"] > 0

    page = client.get("/portal/report?date=between:2025-01-01,2025-03-31")
    assert page.status_code == 200
    api = client.get("/api/v1/tickets/report?date=between:2025-01-01,2025-03-31").json()
    shown = dict(re.findall(r'data-metric="(\w+)">([^<]*)<', page.text))
    assert shown["tickets"] == f"{api['tickets']:,}"
    assert shown["first_response_met"] == f"{api['first_response']['met']:,}"
    assert shown["resolution_breached"] == f"{api['resolution']['breached']:,}"


def test_internal_users_get_403(api_client_factory: ApiClientFactory) -> None:
    assert api_client_factory("agent").get("/api/v1/tickets/report").status_code == 403
    assert api_client_factory("agent").get("/portal/report").status_code == 403
    assert api_client_factory("anonymous").get("/api/v1/tickets/report").status_code == 401


@pytest.mark.parametrize(
    ("persona", "client_id"), [("client_a", CLIENT_A_ID), ("client_b", CLIENT_B_ID)]
)
def test_first_responses_are_the_dashboards(
    api_client_factory: ApiClientFactory, persona: Persona, client_id: int
) -> None:
    """One definition of a first reply: the client's report answers what the manager's
    responsiveness view (the maintained `ticket_response_facts`) says for that client and
    period, so the two cannot drift apart."""
    client, manager = api_client_factory(persona), api_client_factory("manager")
    for date, bounds in PERIODS:
        if bounds is None:
            continue
        period = {"date": date} if date else {}
        report = client.get("/api/v1/tickets/report", params=period).json()
        dashboard = manager.get(
            "/api/v1/analytics/responsiveness", params={**period, "client": f"is:{client_id}"}
        )
        assert dashboard.status_code == 200, dashboard.text
        first = dashboard.json()["first_response"]
        assert report["replied"] == first["count"], date
        assert report["median_first_response_hours"] == pytest.approx(
            first["median_hours"], rel=1e-12
        ), date
