"""The Responsiveness view: its numbers are the API's, and every linked count opens a ticket
list of exactly that many tickets (the inbox's `awaiting` and `first_response` filters), for
random filter bars over the reference data with its edge cases."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given, settings

from support_analytics.web.templating import hours, thousands
from tests.analytics.conftest import edge_case_database
from tests.analytics.oracle import FilterSpec
from tests.analytics.strategies import filter_specs
from tests.conftest import PgServer
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory
from tests.web.test_click_through import analytics, listed

LINK = re.compile(r'<a href="(/tickets\?[^"]*)"[^>]*>([\d,]+)</a>')


@pytest.fixture(scope="module")
def fresh_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    with edge_case_database(pg_server, template_database) as url:
        yield url


def _metric(page: str, key: str) -> str:
    found = re.search(rf'data-metric="{key}">(?:<a [^>]*>)?([^<]*)<', page)
    assert found is not None, key
    return found.group(1)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=HEALTH)
@example(spec=FilterSpec())
@given(spec=filter_specs())
def test_numbers_are_the_apis_and_links_list_exactly_them(
    api_client_factory: ApiClientFactory, spec: FilterSpec
) -> None:
    manager: TestClient = api_client_factory("manager")
    response = manager.get(f"/dashboard/responsiveness?{spec.query_string()}")
    assert response.status_code == 200, response.text
    page = response.text
    body = analytics(manager, "responsiveness", spec)
    first = body["first_response"]
    assert isinstance(first, dict)
    if first["count"] == 0 and first["awaiting"] == 0:
        assert "data-metric" not in page
        return
    assert _metric(page, "median_frt") == hours(first["median_hours"])
    assert _metric(page, "awaiting_first_reply") == thousands(first["awaiting"])
    team = analytics(manager, "responsiveness/team", spec)["rows"]
    assert isinstance(team, list)
    assert page.count("data-member=") == len(team)
    links = LINK.findall(page.replace("&amp;", "&"))
    assert links, page
    for href, shown in links:
        assert listed(manager, href) == int(shown.replace(",", "")), href
