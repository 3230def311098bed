"""The filter bar through its controls: the address follows every change, a reload keeps the
state, back and forward restore it, chips remove one filter, "clear all" removes them all.
Also measures (never asserts) filter change -> every chart painted."""

from __future__ import annotations

import json
import re
import statistics
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, Login
from tests.browser.dashboard_helpers import TIMINGS, measure, member_id, type_id, wait_for_view

pytestmark = pytest.mark.browser


def state(page: Page) -> dict[str, str]:
    """The filter parameters in the current address, decoded."""
    query = parse_qs(urlparse(page.url).query)
    return {key: values[0] for key, values in query.items()}


@pytest.fixture
def manager(page: Page, login: Login) -> Page:
    login(page, "manager")
    return page


def pick(page: Page, key: str, search: str) -> None:
    """Type into the searchable multi-select of `key` and take the first match."""
    control = page.locator(f"fieldset[data-filter='{key}'] .ts-control input")
    control.click()
    control.fill(search)
    # Wait for tom-select to narrow its list to the search before choosing.
    dropdown = page.locator(f"fieldset[data-filter='{key}'] .ts-dropdown")
    expect(dropdown.locator(".option").first).to_contain_text(search, ignore_case=True)
    dropdown.locator(".option").first.click()
    page.keyboard.press("Escape")


def settle(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_set_filters_through_the_controls(manager: Page, live_server: LiveServer) -> None:
    manager.goto("/dashboard/distribution")
    wait_for_view(manager, charts=2)

    manager.select_option("select[name=priority_op]", "any_of")
    pick(manager, "priority", "urg")
    manager.wait_for_url(lambda url: "priority=" in url)
    pick(manager, "priority", "hig")
    manager.wait_for_url(lambda url: "high" in url)
    settle(manager)
    assert state(manager) == {"priority": "any_of:urgent,high"}
    expect(manager.locator("#priorities-table tbody tr")).to_have_count(2)
    expect(manager.locator(".chip[data-chip=priority]")).to_contain_text("urgent or high")

    manager.select_option("select[name=ticket_type_op]", "none_of")
    pick(manager, "ticket_type", "Billing Q")
    billing = type_id(live_server, "Billing Question")
    manager.wait_for_url(lambda url: "ticket_type=" in url)
    settle(manager)
    assert state(manager)["ticket_type"] == f"none_of:{billing}"
    expect(manager.locator(f"#types-table tr[data-type-id='{billing}']")).to_have_count(0)

    pick(manager, "team_member", "sarah")
    sarah = member_id(live_server, "sarah_jones")
    manager.wait_for_url(lambda url: "team_member=" in url)
    settle(manager)
    assert state(manager)["team_member"] == f"is:{sarah}"
    expect(manager.locator("[data-description]")).to_contain_text("assigned to Sarah Jones")

    # A reload rebuilds the same view and the same controls from the address alone.
    before = manager.url
    manager.reload()
    wait_for_view(manager, charts=2)
    assert manager.url == before
    expect(manager.locator("select[name=priority_op]")).to_have_value("any_of")
    expect(manager.locator("select[name=ticket_type_op]")).to_have_value("none_of")
    expect(manager.locator(".chip")).to_have_count(3)
    expect(manager.locator("#priorities-table tbody tr")).to_have_count(2)

    # Back restores the previous state (no team member), forward the latest.
    manager.go_back()
    manager.wait_for_url(lambda url: "team_member" not in url)
    wait_for_view(manager, charts=2)
    expect(manager.locator(".chip")).to_have_count(2)
    expect(manager.locator(".chip[data-chip=team_member]")).to_have_count(0)
    manager.go_forward()
    manager.wait_for_url(lambda url: "team_member" in url)
    wait_for_view(manager, charts=2)
    expect(manager.locator(".chip[data-chip=team_member]")).to_have_count(1)

    # After history restores, a change still sends exactly one request (no doubled handlers).
    sent: list[str] = []
    manager.on("request", lambda r: sent.append(r.url) if "/dashboard/" in r.url else None)
    manager.select_option("select[name=priority_op]", "none_of")
    manager.wait_for_url(lambda url: "none_of" in url)
    settle(manager)
    assert len(sent) == 1, sent


def test_date_operators_and_pickers(manager: Page) -> None:
    manager.goto("/dashboard/over-time")
    wait_for_view(manager, charts=1)
    manager.select_option("select[name=date_op]", "between")
    expect(manager.locator("input[name=date_to]")).to_be_visible()
    manager.fill("input[name=date_from]", "2025-04-01")
    manager.fill("input[name=date_to]", "2025-06-30")
    manager.wait_for_url(lambda url: "between" in url)
    settle(manager)
    assert state(manager) == {"date": "between:2025-04-01,2025-06-30"}
    expect(manager.locator("#over-time-table tbody tr")).to_have_count(3)

    for op, expected_rows in (("on_or_before", 4), ("on_or_after", 8), ("on", 1)):
        manager.select_option("select[name=date_op]", op)
        manager.wait_for_url(re.compile(f"date={op}%3A"))
        settle(manager)
        assert state(manager)["date"].startswith(f"{op}:2025-04-01")
        expect(manager.locator("input[name=date_to]")).to_be_hidden()
        expect(manager.locator("#over-time-table tbody tr")).to_have_count(expected_rows)


def test_the_date_input_shows_only_with_an_operator(manager: Page) -> None:
    manager.goto("/dashboard/over-time")
    wait_for_view(manager, charts=1)
    date_from = manager.locator("input[name=date_from]")
    expect(manager.locator("select[name=date_op]")).to_have_value("")
    expect(date_from).to_be_hidden()  # "Any date" takes no day
    manager.select_option("select[name=date_op]", "on")
    expect(date_from).to_be_visible()
    manager.select_option("select[name=date_op]", "")
    expect(date_from).to_be_hidden()
    manager.select_option("select[name=date_period]", "last:30d")
    expect(date_from).to_be_visible()  # the days the period stands for
    # A page loaded with a date filter shows its day from the start.
    manager.goto("/dashboard/over-time?date=on:2025-04-01")
    wait_for_view(manager, charts=1)
    expect(date_from).to_be_visible()
    expect(date_from).to_have_value("2025-04-01")


def test_client_and_plan_controls(manager: Page, live_server: LiveServer) -> None:
    manager.goto("/dashboard/distribution")
    wait_for_view(manager, charts=2)
    manager.select_option("select[name=plan_op]", "is_not")
    pick(manager, "plan", "Start")
    manager.wait_for_url(lambda url: "plan=" in url)
    settle(manager)
    assert state(manager) == {"plan": "is_not:starter"}
    expect(manager.locator(".chip[data-chip=plan]")).to_contain_text("on plan not starter")

    pick(manager, "client", "TechStart")
    manager.wait_for_url(lambda url: "client=" in url)
    settle(manager)
    assert state(manager) == {"plan": "is_not:starter", "client": "is:1"}
    expect(manager.locator("[data-description]")).to_contain_text("from client TechStart Inc")
    expect(manager.locator(".chip")).to_have_count(2)

    # The same bar on the inbox lists exactly the API's tickets for it.
    manager.goto(f"/tickets?{urlparse(manager.url).query}")
    expect(manager.locator(".chip[data-chip=client]")).to_have_count(1)
    total = manager.request.get("/api/v1/tickets?client=is:1&plan=is_not:starter").json()["total"]
    expect(manager.locator("#inbox-summary")).to_contain_text(f"{total:,}")


def test_chips_remove_one_filter_and_clear_all_removes_every_one(manager: Page) -> None:
    manager.goto("/dashboard/team?date=on_or_after:2025-06-01&priority=is:low&sort=name")
    wait_for_view(manager)
    expect(manager.locator(".chip")).to_have_count(2)
    manager.get_by_role("button", name="Remove filter: with priority low").click()
    manager.wait_for_url(lambda url: "priority" not in url)
    settle(manager)
    assert state(manager) == {"date": "on_or_after:2025-06-01", "sort": "name"}
    expect(manager.locator("select[name=priority]")).to_have_value("")
    manager.locator("#clear-filters").click()
    manager.wait_for_url(lambda url: "date" not in url)
    settle(manager)
    assert state(manager) == {"sort": "name"}  # the view's own sort survives
    expect(manager.locator(".chip")).to_have_count(0)
    expect(manager.locator("select[name=date_op]")).to_have_value("")


def test_no_matching_tickets_shows_the_empty_state(manager: Page) -> None:
    manager.goto("/dashboard/distribution")
    wait_for_view(manager)
    manager.select_option("select[name=date_op]", "on")
    manager.fill("input[name=date_from]", "2030-01-01")
    manager.wait_for_url(lambda url: "2030" in url)
    settle(manager)
    expect(manager.get_by_text("No tickets match these filters")).to_be_visible()
    manager.locator("#empty-clear").click()
    manager.wait_for_url(lambda url: "2030" not in url)
    wait_for_view(manager, charts=2)
    expect(manager.locator("#types-table")).to_be_visible()


def test_keyboard_only_filtering(manager: Page) -> None:
    manager.goto("/dashboard")
    wait_for_view(manager)
    manager.locator("select[name=priority_op]").focus()
    manager.keyboard.press("Tab")  # into the priority search box
    manager.keyboard.type("urgent")
    dropdown = manager.locator("fieldset[data-filter='priority'] .ts-dropdown .option")
    expect(dropdown.first).to_have_text("Urgent")
    manager.keyboard.press("Enter")
    manager.wait_for_url(lambda url: "priority=is%3Aurgent" in url)
    settle(manager)
    expect(manager.locator(".chip[data-chip=priority]")).to_be_visible()


def test_measure_filter_change_to_charts_painted(manager: Page) -> None:
    """Reported, not asserted: wall-clock numbers depend on the machine."""
    results: dict[str, dict[str, float]] = {}
    for name, path, charts in (
        ("over-time", "/dashboard/over-time", 1),
        ("distribution", "/dashboard/distribution", 2),
        ("resolution", "/dashboard/resolution", 2),
    ):
        timings = measure(manager, path, charts)
        results[name] = {
            "median_ms": round(statistics.median(timings), 1),
            "max_ms": round(max(timings), 1),
            "rounds": len(timings),
        }
    TIMINGS.parent.mkdir(exist_ok=True)
    TIMINGS.write_text(json.dumps({"reference": results}, indent=2))
    print("filter change -> charts painted (reference data):", json.dumps(results))
