"""A page per team member and per client: the API numbers are exactly the member's row of
/team-performance and the client's row of /clients for random filter bars, with tickets per
status that add up to those rows; unknown ids are 404, clients are refused; the pages render
those numbers, and every name in the team and clients tables links to them with the filters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from hypothesis import example, given, settings

from support_analytics.filters import TicketFilters
from tests.analytics.conftest import edge_case_database
from tests.analytics.oracle import FilterSpec
from tests.analytics.strategies import filter_specs
from tests.conftest import PgServer
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory

API = "/api/v1/analytics"
STATUSES = ("open", "in_progress", "resolved", "closed")


@pytest.fixture
def fresh_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    with edge_case_database(pg_server, template_database) as url:
        yield url


def same_row(got: dict[str, object], row: dict[str, object]) -> bool:
    """Equal, floats up to their last bits (PostgreSQL sums floats in scan order)."""
    if got.keys() != row.keys():
        return False
    for key, value in row.items():
        if isinstance(value, float) and isinstance(got[key], float):
            if got[key] != pytest.approx(value, rel=1e-12):
                return False
        elif got[key] != value:
            return False
    return True


def _with(query: str, path: str) -> str:
    return f"{path}?{query}" if query else path


@settings(max_examples=examples(8), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
@example(spec=FilterSpec())
@example(spec=FilterSpec(date=("between", "2025-04-01", "2025-06-30"), priority=("is", ("high",))))
def test_member_and_client_numbers_are_their_rows(
    api_client_factory: ApiClientFactory, spec: FilterSpec
) -> None:
    manager = api_client_factory("manager")
    query = spec.query_string()
    team = manager.get(_with(query, f"{API}/team-performance"))
    assert team.status_code == 200, team.text
    for row in team.json()["rows"]:
        got = manager.get(_with(query, f"{API}/team-members/{row['team_member_id']}"))
        assert got.status_code == 200, got.text
        body = got.json()
        by_status = body.pop("tickets_by_status")
        assert same_row(body, row)
        assert list(by_status) == list(STATUSES)
        assert sum(by_status.values()) == row["tickets_assigned"]
        assert by_status["resolved"] + by_status["closed"] == row["tickets_resolved"]
    listed = manager.get(_with(query, f"{API}/clients") + ("&" if query else "?") + "page_size=6")
    assert listed.status_code == 200, listed.text
    rows = listed.json()["rows"]
    assert rows
    for row in rows:
        got = manager.get(_with(query, f"{API}/clients/{row['client_id']}"))
        assert got.status_code == 200, got.text
        body = got.json()
        by_status = body.pop("tickets_by_status")
        assert body == row
        assert sum(by_status.values()) == row["total_tickets"]
        assert by_status["open"] + by_status["in_progress"] == row["open_tickets"]


def test_unknown_ids_are_404(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    for path in (
        f"{API}/team-members/17",  # the edge-case data has members 1-16
        f"{API}/team-members/999999",
        f"{API}/clients/999999",
        "/dashboard/team/17",
        "/dashboard/clients/999999",
    ):
        response = manager.get(path)
        assert response.status_code == 404, (path, response.text)
    assert manager.get(f"{API}/team-members/0").status_code == 422
    assert manager.get(f"{API}/clients/x").status_code == 422
    assert manager.get(f"{API}/clients/1?priority=is:nope").status_code == 422


def test_clients_are_refused(api_client_factory: ApiClientFactory) -> None:
    client, anonymous = api_client_factory("client_a"), api_client_factory("anonymous")
    for path in (
        f"{API}/team-members/1",
        f"{API}/clients/1",
        "/dashboard/team/1",
        "/dashboard/clients/1",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 403, (path, response.text)
        refused = anonymous.get(path, follow_redirects=False)
        assert refused.status_code in (401, 303), (path, refused.text)


def _links(html: str, marker: str) -> dict[str, str]:
    """Link text -> href of the anchors carrying `marker`."""
    found = re.findall(rf'<a href="([^"]*)" {marker}>([^<]+)</a>', html)
    return {unescape(text).strip(): unescape(href) for href, text in found}


def test_names_link_to_pages_that_show_the_row(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    filters = {"date": "between:2025-04-01,2025-06-30", "priority": "is:high"}
    query = urlencode(filters)

    team_page = manager.get(f"/dashboard/team?{query}&sort=name").text
    member_links = _links(team_page, "data-member-link")
    rows = manager.get(f"{API}/team-performance?{query}").json()["rows"]
    assert len(member_links) == len(rows)
    for row in rows[:3]:
        href = member_links[row["name"]]
        parts = urlsplit(href)
        assert parts.path == f"/dashboard/team/{row['team_member_id']}"
        # The filter bar carries over; the team table's own sort does not.
        assert {k: v[0] for k, v in parse_qs(parts.query).items()} == filters
        page = manager.get(href)
        assert page.status_code == 200
        html = page.text
        assert re.search(r"<h2 id=\"member-title\">[^<]*" + re.escape(row["name"]), html)
        shown = dict(re.findall(r'<dd class="value" data-col="(\w+)">([^<]*)</dd>', html))
        assert shown["tickets_assigned"] == f"{row['tickets_assigned']:,}"
        assert shown["tickets_resolved"] == f"{row['tickets_resolved']:,}"
        found = re.search(r'<a href="([^"]*)" id="entity-all-tickets"', html)
        assert found, html[:2000]
        inbox = unescape(found[1])
        inbox_query = {k: v[0] for k, v in parse_qs(urlsplit(inbox).query).items()}
        assert inbox_query["team_member"] == f"is:{row['team_member_id']}"
        total = manager.get(f"/api/v1/tickets?{urlsplit(inbox).query}&page_size=1").json()
        assert total["total"] == row["tickets_assigned"]

    clients_page = manager.get(f"/dashboard/clients?{query}").text
    client_links = _links(clients_page, "data-client-link")
    client_rows = manager.get(f"{API}/clients?{query}").json()["rows"]
    assert client_rows
    assert len(client_links) == len({r["name"] for r in client_rows})
    for row in client_rows[:3]:
        href = next(
            h for h in client_links.values() if urlsplit(h).path.endswith(f"/{row['client_id']}")
        )
        assert urlsplit(href).path == f"/dashboard/clients/{row['client_id']}"
        html = manager.get(href).text
        shown = dict(re.findall(r'<dd class="value" data-col="(\w+)">([^<]*)</dd>', html))
        assert shown["total_tickets"] == f"{row['total_tickets']:,}"
        assert shown["open_tickets"] == f"{row['open_tickets']:,}"
        assert shown["plan_type"] == (row["plan_type"] or "—")


def test_filter_bar_on_a_member_page_stays_on_it(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    html = manager.get("/dashboard/team/1?priority=is:low").text
    assert 'action="/dashboard/team/1"' in html
    fragment = manager.get(
        "/dashboard/team/1?priority=is:urgent", headers={"HX-Request": "true", "HX-Target": "view"}
    )
    assert fragment.status_code == 200
    assert 'data-view="member"' in fragment.text
    assert "<html" not in fragment.text
    # The tabs swapped out of band carry the new filters.
    assert "/dashboard/team?priority=is%3Aurgent" in fragment.text
    assert TicketFilters.from_query({"priority": "is:urgent"}).to_query_string() in fragment.text


def test_inbox_names_link_to_their_pages(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    page = agent.get("/tickets", params={"team_member": "is:1"})
    assert page.status_code == 200
    clients = set(re.findall(r'href="/dashboard/clients/(\d+)"', page.text))
    members = set(re.findall(r'href="/dashboard/team/(\d+)"', page.text))
    assert members == {"1"}
    assert clients
    for client_id in sorted(clients)[:2]:
        assert agent.get(f"/dashboard/clients/{client_id}").status_code == 200
    assert agent.get("/dashboard/team/1").status_code == 200
