"""The over-time chart's comparison overlay: `compare=previous|year` adds the comparison
period's series (dashed) exactly as the API returns them, the "Compare with" links toggle it,
and a filter change keeps it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Login
from tests.browser.dashboard_helpers import api_json, wait_for_view

pytestmark = pytest.mark.browser

QUARTER = "date=between:2025-04-01,2025-06-30"
SERIES = """() => {
  const el = document.querySelector('[data-chart=overTime]');
  const option = echarts.getInstanceByDom(el).getOption();
  return option.series.map(s => ({name: s.name, data: s.data}));
}"""


def drawn(page: Page) -> list[dict[str, object]]:
    series = page.evaluate(SERIES)
    assert isinstance(series, list)
    return series


def settle(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    wait_for_view(page, charts=1)


def test_overlay_appears_and_toggles_with_compare(page: Page, login: Login) -> None:
    login(page, "manager")
    page.goto(f"/dashboard/over-time?{QUARTER}")
    settle(page)
    assert [s["name"] for s in drawn(page)] == ["Created", "Resolved"]

    page.locator("[data-compare-choice=previous]").click()
    page.wait_for_url(lambda url: "compare=previous" in url)
    settle(page)
    api = api_json(page, f"/api/v1/analytics/tickets-over-time?{QUARTER}&compare=previous")
    comparison = api["comparison"]
    assert isinstance(comparison, list)
    series = drawn(page)
    assert [s["name"] for s in series] == [
        "Created",
        "Resolved",
        "Created, previous period",
        "Resolved, previous period",
    ]
    assert series[2]["data"] == [p["created"] for p in comparison if isinstance(p, dict)]
    assert series[3]["data"] == [p["resolved"] for p in comparison if isinstance(p, dict)]
    assert page.locator("[data-compare]").inner_text().count("Jan") >= 1
    assert page.locator("#over-time-table td[data-col=comparison]").count() == 3

    # Another filter keeps the comparison; the CSV link carries it.
    page.select_option("select[name=priority_op]", "is_not")
    page.evaluate(
        "() => document.querySelector('select[name=priority]').tomselect.setValue(['low'])"
    )
    page.wait_for_url(lambda url: "priority=" in url)
    settle(page)
    assert parse_qs(urlparse(page.url).query)["compare"] == ["previous"]
    assert len(drawn(page)) == 4
    assert "compare=previous" in str(
        page.locator("a:has-text('Download')").first.get_attribute("href")
    )

    page.locator("[data-compare-choice=year]").click()
    page.wait_for_url(lambda url: "compare=year" in url)
    settle(page)
    assert [s["name"] for s in drawn(page)][2:] == [
        "Created, same period last year",
        "Resolved, same period last year",
    ]

    page.locator("[data-compare-choice='']").click()
    page.wait_for_url(lambda url: "compare=" not in url)
    settle(page)
    assert [s["name"] for s in drawn(page)] == ["Created", "Resolved"]
