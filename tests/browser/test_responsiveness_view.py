"""The Responsiveness view in a browser: its cards, charts and tables show what the API
returns, and a click on a count opens the inbox listing exactly that many tickets."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from support_analytics.analytics.responsiveness_charts import FrtHistogram, FrtOverTime
from support_analytics.analytics.schemas import Responsiveness
from support_analytics.web.templating import hours, thousands
from tests.browser.conftest import Login
from tests.browser.dashboard_helpers import api_json, wait_for_view

pytestmark = pytest.mark.browser

FILTERS = "priority=any_of:high,urgent&date=between:2025-03-01,2025-05-31"
DRAWN = """(key) => {
  const el = document.querySelector(`[data-chart=${key}]`);
  return echarts.getInstanceByDom(el).getOption().series.map(s => s.data);
}"""


def test_numbers_are_the_apis_and_a_click_lists_exactly_them(page: Page, login: Login) -> None:
    login(page, "manager")
    page.goto(f"/dashboard/responsiveness?{FILTERS}")
    wait_for_view(page, charts=2)
    api = "/api/v1/analytics/responsiveness"
    first = Responsiveness.model_validate(api_json(page, f"{api}?{FILTERS}")).first_response
    assert page.locator("[data-metric=median_frt]").inner_text() == hours(first.median_hours)
    assert page.locator("[data-metric=awaiting_first_reply]").inner_text() == thousands(
        first.awaiting
    )
    bars = FrtHistogram.model_validate(api_json(page, f"{api}/histogram?{FILTERS}")).bars
    assert page.evaluate(DRAWN, "histogram") == [[bar.count for bar in bars]]
    series = FrtOverTime.model_validate(api_json(page, f"{api}/over-time?{FILTERS}")).series
    assert page.evaluate(DRAWN, "frtOverTime") == [
        [p.median_hours for p in series],
        [p.p90_hours for p in series],
    ]
    cell = page.locator("#frt-priority-table tr[data-priority=high] td[data-cell=count] a")
    shown = int(cell.inner_text().replace(",", ""))
    cell.click()
    page.wait_for_url(re.compile(r"/tickets\?"))
    listed = api_json(page, "/api/v1/tickets?" + page.url.split("?", 1)[1] + "&page_size=1")
    assert listed["total"] == shown
