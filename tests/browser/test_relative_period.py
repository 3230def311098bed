"""The filter bar's "Period" select: a relative period goes into the address as itself
(date=last:30d), the date inputs and the sentence show the days it resolved to, other
filters keep it, and a custom range turns it back into concrete days."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from support_analytics.filters.grammar import RELATIVE_PHRASES
from support_analytics.web.pages.dashboard_filterbar import DATE_PERIODS
from tests.browser.conftest import Login
from tests.browser.dashboard_helpers import wait_for_view

pytestmark = pytest.mark.browser


def state(page: Page) -> dict[str, str]:
    query = parse_qs(urlparse(page.url).query)
    return {key: values[0] for key, values in query.items()}


def settle(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def day(value: str) -> str:
    """A day as the sentence prints it: 2026-11-29 -> 29 Nov 2026."""
    parsed = date.fromisoformat(value)
    return f"{parsed.day} {parsed:%b %Y}"


def test_the_select_offers_every_relative_period() -> None:
    assert [token for token, _ in DATE_PERIODS] == ["", *RELATIVE_PHRASES]


def test_relative_period_through_the_filter_bar(page: Page, login: Login) -> None:
    login(page, "manager")
    page.goto("/dashboard/distribution")
    wait_for_view(page, charts=2)

    page.get_by_label("Created period").select_option(label="Last 30 days")
    page.wait_for_url(lambda url: "date=" in url)
    settle(page)
    assert state(page) == {"date": "last:30d"}
    date_from = page.locator("input[name=date_from]")
    date_to = page.locator("input[name=date_to]")
    expect(date_from).not_to_have_value("")
    expect(date_to).to_be_visible()
    first, last = date_from.input_value(), date_to.input_value()
    assert (date.fromisoformat(last) - date.fromisoformat(first)).days == 29
    expect(page.locator("[data-description]")).to_contain_text(
        f"in the last 30 days ({day(first)} to {day(last)})"
    )

    # Another filter keeps the relative period (it is not rewritten as its days).
    page.select_option("select[name=priority_op]", "is_not")
    page.locator("fieldset[data-filter='priority'] .ts-control input").click()
    page.locator("fieldset[data-filter='priority'] .ts-dropdown .option", has_text="Low").click()
    page.keyboard.press("Escape")
    page.wait_for_url(lambda url: "priority=" in url)
    settle(page)
    assert state(page) == {"date": "last:30d", "priority": "is_not:low"}
    expect(page.get_by_label("Created period")).to_have_value("last:30d")

    # A reload rebuilds the select from the address.
    page.reload()
    wait_for_view(page)
    expect(page.get_by_label("Created period")).to_have_value("last:30d")
    expect(date_from).to_have_value(first)

    # Custom keeps the days on screen, now as concrete dates; editing them stays concrete.
    page.get_by_label("Created period").select_option(label="Custom range")
    page.wait_for_url(lambda url: "between" in url)
    settle(page)
    assert state(page) == {"date": f"between:{first},{last}", "priority": "is_not:low"}
    date_from.fill("2025-04-01")
    date_to.fill("2025-06-30")
    page.wait_for_url(lambda url: "2025-06-30" in url)
    settle(page)
    assert state(page) == {"date": "between:2025-04-01,2025-06-30", "priority": "is_not:low"}
    expect(page.get_by_label("Created period")).to_have_value("")

    # Editing a day while a period is chosen also switches to concrete days.
    page.get_by_label("Created period").select_option(label="Previous quarter")
    page.wait_for_url(lambda url: "previous" in url)
    settle(page)
    expect(page.locator("[data-description]")).to_contain_text("last quarter (")
    date_from.fill("2025-05-01")
    page.wait_for_url(lambda url: "previous" not in url)
    settle(page)
    assert state(page)["date"].startswith("between:2025-05-01,")
    expect(page.get_by_label("Created period")).to_have_value("")


def test_the_period_select_works_from_the_keyboard(page: Page, login: Login) -> None:
    login(page, "manager")
    page.goto("/dashboard/over-time")
    wait_for_view(page, charts=1)
    period = page.get_by_label("Created period")
    period.focus()
    # Custom range -> Last 7 days, committed with the keyboard alone.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "date=" in url)
    settle(page)
    assert state(page) == {"date": "last:7d"}
