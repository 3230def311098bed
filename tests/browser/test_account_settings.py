"""The header's account link opens the settings page, where a user picks a timezone and a
weekly digest; the Dashboard link opens the user's default saved view."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Login


def test_settings_save_a_timezone_and_a_weekly_digest(page: Page, login: Login) -> None:
    login(page, "manager")
    page.goto("/dashboard")
    page.locator("a.who").click()
    expect(page).to_have_url(re.compile(r"/account/settings$"))
    page.select_option("#timezone", "Europe/Berlin")
    page.get_by_label("Weekly, on").check()
    page.select_option("#local_hour", "7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("#timezone")).to_have_value("Europe/Berlin")
    # Every page now shows times in that zone and says so; the browser's own formatting
    # (the alert bell) reads it from the body.
    page.goto("/dashboard")
    expect(page.locator("#timezone-note")).to_contain_text("Times in Europe/Berlin")
    expect(page.locator("#timezone-note")).to_contain_text("reporting timezone, UTC")
    expect(page.locator("body")).to_have_attribute("data-timezone", "Europe/Berlin")
    prefs = page.request.get("/api/v1/me/preferences").json()
    assert prefs["timezone"] == "Europe/Berlin"
    [digest] = page.request.get("/api/v1/digests").json()["rows"]
    assert (digest["frequency"], digest["local_hour"]) == ("weekly", 7)


def test_the_dashboard_link_opens_the_default_view(page: Page, login: Login) -> None:
    login(page, "agent")
    saved = page.request.post(
        "/api/v1/views",
        data={"name": "Urgent", "url": "/dashboard/team?priority=is:urgent", "default": True},
    )
    assert saved.status == 201, saved.text()
    page.goto("/tickets")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/team\?priority=is(:|%3A)urgent$"))
    expect(page.locator(".chip")).to_have_count(1)
