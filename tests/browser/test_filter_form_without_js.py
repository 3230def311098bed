"""The filter bar without JavaScript: its Apply button submits the raw controls (date_period,
date_op, date_from, team_member_op ...) and the server answers with a redirect to the same
address app.js would have built, the view's own state (grain, sort, compare) kept."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import VIEWPORT, LiveServer, Login
from tests.browser.dashboard_helpers import wait_for_view

pytestmark = pytest.mark.browser


def state(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def with_js(page: Page, path: str, choose: str) -> dict[str, list[str]]:
    page.goto(path)
    wait_for_view(page, charts=1)
    page.get_by_label("Created period").select_option(label=choose)
    page.wait_for_url(lambda url: "date=" in url)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    return state(page.url)


@pytest.mark.parametrize(
    ("path", "choose"),
    [
        ("/dashboard/over-time?grain=week", "Last 30 days"),
        ("/dashboard/over-time?priority=is:high", "Previous quarter"),
        ("/tickets?status=open", "Last 90 days"),
    ],
)
def test_period_select_without_javascript_gives_the_same_address(
    *, browser: Browser, live_server: LiveServer, login: Login, page: Page, path: str, choose: str
) -> None:
    context = browser.new_context(
        base_url=live_server.base_url,
        viewport=VIEWPORT,
        locale="en-US",
        timezone_id="UTC",
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    try:
        plain = context.new_page()
        login(plain, "manager")
        response = plain.goto(path)
        assert response is not None
        assert response.ok
        plain.get_by_label("Created period").select_option(label=choose)
        plain.locator("#filter-form").get_by_role("button", name="Apply").click()
        plain.wait_for_load_state("load")
        assert urlparse(plain.url).path == urlparse(path).path
        assert "date_period" not in plain.url
        assert plain.locator("h1, h2").first.is_visible()
        assert not plain.locator("[role=alert]").count(), plain.locator("main").inner_text()
        without = state(plain.url)
    finally:
        context.close()

    login(page, "manager")
    if path.startswith("/tickets"):
        page.goto(path)
        page.wait_for_selector("#view")
        page.get_by_label("Created period").select_option(label=choose)
        page.wait_for_url(lambda url: "date=" in url)
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        expected = state(page.url)
    else:
        expected = with_js(page, path, choose)
    assert without == expected
