"""One rule for blank parameters (issue 11 item 5) and relative dates (issue 11 "Relative
dates"), over HTTP: the API and the pages agree."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from sqlalchemy import text

from support_analytics.db.engine import Database
from tests.fixtures.auth import ApiClientFactory, Persona

BLANK_API: tuple[tuple[Persona, str, str], ...] = (
    ("manager", "/api/v1/analytics/team-performance", "name"),
    ("manager", "/api/v1/analytics/team-performance", "status"),
    ("manager", "/api/v1/analytics/team-performance", "avg_rating"),
    ("manager", "/api/v1/analytics/team-performance", "sort"),
    ("manager", "/api/v1/analytics/overview", "date"),
    ("manager", "/api/v1/analytics/overview", "priority"),
    ("manager", "/api/v1/analytics/overview", "team_member"),
    ("manager", "/api/v1/analytics/overview", "ticket_type"),
    ("agent", "/api/v1/tickets", "date"),
    ("agent", "/api/v1/tickets", "rating"),
    ("agent", "/api/v1/tickets", "resolved"),
    ("agent", "/api/v1/tickets", "priority"),
)
BLANK_PAGES: tuple[tuple[Persona, str, str], ...] = (
    ("manager", "/dashboard/team", "name"),
    ("manager", "/dashboard", "date"),
    ("manager", "/dashboard", "priority"),
    ("agent", "/tickets", "date"),
    ("agent", "/tickets", "rating"),
    ("agent", "/tickets", "team_member"),
)


@pytest.mark.parametrize(("persona", "path", "parameter"), BLANK_API)
def test_a_blank_api_parameter_is_no_filter(
    api_client_factory: ApiClientFactory, persona: Persona, path: str, parameter: str
) -> None:
    client = api_client_factory(persona)
    blank = client.get(path, params={parameter: ""})
    assert blank.status_code == 200, blank.text
    assert blank.json() == client.get(path).json()


@pytest.mark.parametrize(("persona", "path", "parameter"), BLANK_PAGES)
def test_a_blank_page_parameter_is_no_filter(
    api_client_factory: ApiClientFactory, persona: Persona, path: str, parameter: str
) -> None:
    page = api_client_factory(persona).get(path, params={parameter: ""})
    assert page.status_code == 200, page.text[:300]


def _today() -> datetime:
    return datetime.now(UTC)  # the test app reports in UTC


@pytest.mark.parametrize(
    "token", ["last:7d", "last:12m", "this:month", "previous:quarter", "previous:year"]
)
def test_relative_dates_work_in_the_api_and_resolved(
    api_client_factory: ApiClientFactory, token: str
) -> None:
    manager = api_client_factory("manager")
    assert manager.get("/api/v1/analytics/overview", params={"date": token}).status_code == 200
    agent = api_client_factory("agent")
    assert agent.get("/api/v1/tickets", params={"date": token}).status_code == 200
    assert agent.get("/api/v1/tickets", params={"resolved": token}).status_code == 200


def test_an_unknown_period_is_a_422_naming_date(api_client_factory: ApiClientFactory) -> None:
    response = api_client_factory("manager").get(
        "/api/v1/analytics/overview", params={"date": "last:5d"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["name"] == "date"


def test_the_page_says_the_days_and_click_through_keeps_them_concrete(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    year = _today().year - 1
    # Cards link only when their period has tickets: give last year one whatever the clock
    # says (the reference data ends 2025-11, which is "last year" only during 2026).
    with owner_database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tickets (client_id, ticket_type_id, priority, title, created_at)"
                " VALUES (1, 1, 'low', 'last year', make_timestamptz(:year, 6, 1, 12, 0, 0, 'UTC'))"
            ),
            {"year": year},
        )
    page = api_client_factory("manager").get("/dashboard", params={"date": "previous:year"})
    assert page.status_code == 200
    html = unquote(page.text).replace("&amp;", "&")
    assert f"last year (1 Jan {year} to 31 Dec {year})" in html
    links = re.findall(r'href="(/tickets\?[^"]*)"', html)
    assert links
    assert not any("previous:year" in link for link in links), links
    assert any(f"date=between:{year}-01-01,{year}-12-31" in link for link in links), links
    tabs = re.findall(r'href="(/dashboard/[a-z-]+\?[^"]*)"', html)
    assert any("date=previous:year" in tab for tab in tabs), tabs  # the view state stays relative


def test_a_csv_of_a_relative_range_is_named_by_its_days(
    api_client_factory: ApiClientFactory,
) -> None:
    today = _today().date()
    start = today - timedelta(days=6)
    response = api_client_factory("agent").get(
        "/api/v1/tickets", params={"date": "last:7d", "format": "csv"}
    )
    assert response.status_code == 200
    assert f'filename="tickets_{start}_{today}.csv"' in response.headers["content-disposition"]
