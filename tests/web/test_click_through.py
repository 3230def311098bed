"""Click-through: every link the dashboard puts on a number opens a ticket list of exactly that
many tickets, for random filter bars (Hypothesis) over the reference data with its edge cases.
The numbers come from the JSON API, the links from the page code (`dashboard_views`), the
counts from the ticket list API; averages are checked against plain SQL for what they average
over. The browser tests click a few of these for real."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given, settings

from support_analytics.analytics.schemas import (
    Overview,
    Priorities,
    ResolutionTimes,
    TeamPerformance,
    TicketsOverTime,
    TicketTypes,
)
from support_analytics.filters import TicketFilters
from support_analytics.web.pages import dashboard_views as views
from tests.analytics import oracle
from tests.analytics.conftest import edge_case_database
from tests.analytics.oracle import FilterSpec
from tests.analytics.strategies import filter_specs
from tests.conftest import PgServer
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory


@pytest.fixture(scope="module")
def fresh_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    with edge_case_database(pg_server, template_database) as url:
        yield url


def listed(manager: TestClient, href: str) -> int:
    """How many tickets the inbox link `href` lists (its API twin, one row a page)."""
    parts = urlsplit(href)
    assert parts.path == "/tickets", href
    response = manager.get(f"/api/v1/tickets?{parts.query}&page_size=1")
    assert response.status_code == 200, (href, response.text)
    total: int = response.json()["total"]
    return total


def analytics(manager: TestClient, endpoint: str, spec: FilterSpec) -> dict[str, object]:
    response = manager.get(f"/api/v1/analytics/{endpoint}?{spec.query_string()}")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def plain_count(conn: oracle.Conn, spec: FilterSpec, condition: str) -> int:
    params: list[object] = []
    sql = (
        "SELECT count(*) FROM tickets t LEFT JOIN ticket_feedback f ON f.ticket_id = t.id "
        f"WHERE {oracle.where(spec, 'UTC', params)} AND {condition}"
    )
    row = conn.execute(sql.encode(), params).fetchone()
    assert row is not None
    return int(str(row[0]))


def check_cards(manager: TestClient, conn: oracle.Conn, spec: FilterSpec) -> None:
    filters = TicketFilters.from_query(spec.params())
    result = Overview.model_validate(analytics(manager, "overview", spec))
    cards = {card.key: card for card in views.overview_cards(result, filters)}
    behind = {
        "total_tickets": result.total_tickets,
        "open_tickets": result.open_tickets,
        "avg_resolution_hours": plain_count(conn, spec, "t.resolved_at IS NOT NULL"),
        "csat_avg": result.feedback_count,
    }
    for key, number in behind.items():
        href = cards[key].href
        assert (href is None) == (number == 0), (key, href, number)
        if href is not None:
            assert listed(manager, href) == number, (key, href)


def check_over_time(manager: TestClient, spec: FilterSpec) -> None:
    filters = TicketFilters.from_query(spec.params())
    result = TicketsOverTime.model_validate(analytics(manager, "tickets-over-time", spec))
    chart = views.over_time_chart(result, filters)
    by_month = views.month_links(result, filters)
    links = chart["links"]
    assert isinstance(links, dict)
    for index, point in enumerate(result.series):
        found = by_month[point.month]
        for series, number, href in (
            (0, point.created, found.created),
            (1, point.resolved, found.resolved),
        ):
            assert links.get(f"{series}:{index}") == href
            assert (href is None) == (number == 0), (point, series)
            if href is not None:
                assert listed(manager, href) == number, (point, series, href)


def check_distribution(manager: TestClient, spec: FilterSpec) -> None:
    filters = TicketFilters.from_query(spec.params())
    types = TicketTypes.model_validate(analytics(manager, "ticket-types", spec))
    donut = views.type_chart(types, filters)
    items, links = donut["items"], donut["links"]
    assert isinstance(items, list)
    assert isinstance(links, dict)
    for index, item in enumerate(items):
        assert isinstance(item, dict)
        href = links[str(index)]
        assert isinstance(href, str)
        assert listed(manager, href) == item["value"], item
    priorities = Priorities.model_validate(analytics(manager, "priorities", spec))
    bars = views.priority_chart(priorities, filters)
    bar_links = bars["links"]
    assert isinstance(bar_links, dict)
    for index, row in enumerate(priorities.rows):
        for series, number in ((0, row.open), (1, row.closed)):
            href = bar_links.get(f"{series}:{index}")
            assert (href is None) == (number == 0), (row, series)
            if href is not None:
                assert isinstance(href, str)
                assert listed(manager, href) == number, (row, series)


def check_resolution(manager: TestClient, spec: FilterSpec) -> None:
    filters = TicketFilters.from_query(spec.params())
    result = ResolutionTimes.model_validate(analytics(manager, "resolution-times", spec))
    box = views.box_chart(result, filters)
    links = box["links"]
    assert isinstance(links, dict)
    counted = [row for row in result.by_priority if row.count > 0]
    for index, row in enumerate(counted):
        href = links[str(index)]
        assert isinstance(href, str)
        assert listed(manager, href) == row.count, row


def check_team(manager: TestClient, conn: oracle.Conn, spec: FilterSpec) -> None:
    filters = TicketFilters.from_query(spec.params())
    result = TeamPerformance.model_validate(analytics(manager, "team-performance", spec))
    row_links = views.team_row_links(result, filters)
    busiest = sorted(result.rows, key=lambda r: -r.tickets_assigned)[:3]
    for row in busiest:
        mine = replace(spec, team_member=("is", (row.team_member_id,)))
        behind = {
            "tickets_assigned": row.tickets_assigned,
            "tickets_resolved": row.tickets_resolved,
            "avg_resolution_hours": plain_count(conn, mine, "t.resolved_at IS NOT NULL"),
            "avg_rating": plain_count(conn, mine, "f.rating IS NOT NULL"),
        }
        entry = row_links[row.team_member_id]
        for key, number in behind.items():
            href = entry.get(key)
            assert (href is None) == (number == 0), (row, key)
            if href is not None:
                assert listed(manager, href) == number, (row, key, href)


@pytest.fixture(scope="module")
def conn(fresh_database: str) -> Iterator[oracle.Conn]:
    with oracle.connect(fresh_database) as conn:
        yield conn


@settings(max_examples=examples(12), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
@example(spec=FilterSpec())
@example(
    spec=FilterSpec(date=("between", "2025-04-01", "2025-06-30"), priority=("is", ("urgent",)))
)
def test_every_number_links_to_exactly_its_tickets(
    api_client_factory: ApiClientFactory, conn: oracle.Conn, spec: FilterSpec
) -> None:
    manager = api_client_factory("manager")
    check_cards(manager, conn, spec)
    check_over_time(manager, spec)
    check_distribution(manager, spec)
    check_resolution(manager, spec)
    check_team(manager, conn, spec)
