"""The harness works end to end: real server, real database, real Chromium."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Login, screenshot
from tests.fixtures.auth import PASSWORD


def test_healthz_answers_in_the_browser(page: Page) -> None:
    response = page.goto("/healthz")
    assert response is not None
    assert response.status == 200
    assert '"status":"ok"' in page.content().replace(" ", "")


def test_unknown_page_is_a_readable_html_404(page: Page) -> None:
    response = page.goto("/no-such-page")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    screenshot(page, "error-404")


def test_unknown_api_path_stays_json(page: Page) -> None:
    response = page.goto("/api/v1/no-such-endpoint")
    assert response is not None
    assert response.status == 404
    assert response.headers["content-type"].startswith("application/json")


def test_sign_in_page_renders_and_signs_a_manager_in(page: Page, login: Login) -> None:
    login(page, "manager")  # creates the personas; signs this context in
    page.context.clear_cookies()
    response = page.goto("/login?next=/dashboard/team")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    screenshot(page, "login")
    page.fill("#email", "manager@tests.example")
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/dashboard/team")
    expect(page.locator("#team-table")).to_be_visible()
