"""The SLAs dashboard view renders what the SLA endpoints return: the cards equal
/api/v1/analytics/sla (and the previous period's), the tables equal /sla/breakdown, the
board equals /sla-breaches; a ticket due soon is on the board with its due time for the
countdown; the numbers say when they are being recomputed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest

from support_analytics.db.engine import libpq_url
from support_analytics.web.templating import one_decimal, thousands
from tests.fixtures.auth import ApiClientFactory

PAGE = "/dashboard/sla"
Conn = psycopg.Connection[tuple[object, ...]]
# An open ticket whose resolution is due in 20 minutes (its type's hours ago, plus 20 min).
DUE_SOON = """UPDATE tickets t SET status = 'open', resolved_at = NULL,
  created_at = now() - y.avg_resolution_hours * interval '1 hour' + interval '20 minutes'
  FROM ticket_types y WHERE y.id = t.ticket_type_id AND t.id = %s"""


@pytest.fixture
def owner(fresh_database: str) -> Iterator[Conn]:
    with psycopg.connect(libpq_url(fresh_database), autocommit=True) as conn:
        yield conn


def _metric(page: str, key: str) -> str:
    found = re.search(rf'data-metric="{key}">(?:<a [^>]*>)?([^<]+)<', page)
    assert found is not None, key
    return found.group(1)


def test_the_view_equals_the_api(api_client_factory: ApiClientFactory, owner: Conn) -> None:
    owner.execute(DUE_SOON.encode(), (101,))
    agent = api_client_factory("agent")
    query = "date=between:2025-04-01,2025-06-30"
    response = agent.get(f"{PAGE}?{query}")
    assert response.status_code == 200, response.text
    page = response.text
    block = agent.get(f"/api/v1/analytics/sla?{query}").json()
    before = agent.get("/api/v1/analytics/sla?date=between:2025-01-01,2025-03-31").json()
    for target in ("first_response", "resolution"):
        numbers = block[target]
        assert _metric(page, f"{target}_compliance") == one_decimal(numbers["compliance_pct"])
        assert _metric(page, f"{target}_breached") == thousands(numbers["breached"])
        delta = numbers["compliance_pct"] - before[target]["compliance_pct"]
        assert f"{abs(delta):,.1f} pts" in page
    for by in ("priority", "team_member", "client"):
        rows = agent.get(f"/api/v1/analytics/sla/breakdown?by={by}&{query}").json()["rows"]
        table = page.split(f'id="sla-{by}-table"')[1].split("</table>")[0]
        assert table.count("<tr data-key=") == len(rows)
        for row in rows:
            assert f'<th scope="row">{row["label"]}</th>' in table
        # Click-through: a row's ticket count opens exactly its tickets in the inbox.
        first = rows[0] if rows[0]["key"] else rows[1]
        href = re.search(
            rf'<tr data-key="{first["key"]}">.*?data-cell="tickets"><a href="([^"]+)"',
            table,
            flags=re.S,
        )
        assert href is not None, by
        query_part = href.group(1).split("?", 1)[1].replace("&amp;", "&")
        listed = agent.get(f"/api/v1/tickets?{query_part}&page_size=1").json()
        assert listed["total"] == first["tickets"], by
    months = agent.get(f"/api/v1/analytics/sla/breakdown?by=period&{query}").json()["rows"]
    assert [r["key"] for r in months] == ["2025-04", "2025-05", "2025-06"]

    # The board: the unfiltered view has the ticket due soon among the at-risk rows.
    board = agent.get(PAGE).text
    at_risk = agent.get("/api/v1/analytics/sla-breaches?state=at_risk&target=resolution").json()
    assert 101 in [r["ticket_id"] for r in at_risk["rows"]]
    listed = re.findall(r'data-ticket="(\d+)" data-due="([^"]+)" data-state="at_risk"', board)
    assert [int(t) for t, _ in listed] == [r["ticket_id"] for r in at_risk["rows"]]
    assert f'data-sla-count="at_risk">{thousands(at_risk["total"])}<' in board
    assert 'href="/tickets/101"' in board
    breached = agent.get("/api/v1/analytics/sla-breaches?state=breached&target=resolution").json()
    assert f'data-sla-count="breached">{thousands(breached["total"])}<' in board
    assert 'src="/static/sla.js' in board or "sla.js" in board


def test_the_view_says_when_numbers_are_being_recomputed(
    api_client_factory: ApiClientFactory,
) -> None:
    agent = api_client_factory("agent")
    assert "data-sla-recomputing" not in agent.get(PAGE).text
    admin = api_client_factory("admin")
    admin.patch(
        "/api/v1/sla/policies", json={"rules": [{"priority": "low", "first_response_hours": 12}]}
    )
    assert "data-sla-recomputing" in agent.get(PAGE).text


def test_bad_parameters_name_the_field(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    for query, field in (("target=soon", "target"), ("window=0", "window"), ("grain=y", "grain")):
        response = agent.get(f"{PAGE}?{query}")
        assert response.status_code == 422, query
        assert field in response.text
    assert api_client_factory("client_a").get(PAGE).status_code == 403
