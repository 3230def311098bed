"""Each demo account signs in through the login form, lands on its home and sees exactly
the navigation its role may use; forbidden pages answer 403; signing out works."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from support_analytics.auth.demo import DEMO_ACCOUNTS, DemoAccount, ensure_demo_accounts
from support_analytics.db.engine import connect
from support_analytics.tenancy.claims import Role
from tests.browser.conftest import LiveServer, screenshot

NAVIGATION = {
    Role.ADMIN: ["Dashboard", "Tickets", "Alerts", "Admin"],
    Role.MANAGER: ["Dashboard", "Tickets", "Alerts"],
    Role.AGENT: ["Dashboard", "Tickets", "Alerts"],
    Role.CLIENT: ["Portal"],
}
FORBIDDEN = {
    Role.ADMIN: [],
    Role.MANAGER: ["/admin"],
    Role.AGENT: ["/admin"],
    Role.CLIENT: ["/dashboard", "/tickets", "/admin"],
}


@pytest.fixture(scope="module")
def demo_accounts(live_server: LiveServer) -> list[DemoAccount]:
    database = connect(live_server.database_url, pool_size=1)
    try:
        return ensure_demo_accounts(database)
    finally:
        database.engine.dispose()


def _sign_in(page: Page, account: DemoAccount) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a.role.value for a in DEMO_ACCOUNTS])
def test_each_demo_role_sees_exactly_its_navigation(
    page: Page, demo_accounts: list[DemoAccount], account: DemoAccount
) -> None:
    assert account.email in {a.email for a in demo_accounts}
    _sign_in(page, account)
    # Clients land on their portal, agents on the inbox, managers and admins on the dashboard.
    home = {Role.CLIENT: "/portal", Role.AGENT: "/tickets"}.get(account.role, "/dashboard")
    expect(page).to_have_url(re.compile(rf"{re.escape(home)}$"))
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links).to_have_text(NAVIGATION[account.role])
    expect(page.get_by_text(account.role.value, exact=True).first).to_be_visible()
    if account.role is Role.ADMIN:
        screenshot(page, "signed-in-admin")
    for path in FORBIDDEN[account.role]:
        response = page.goto(path)
        assert response is not None
        assert response.status == 403, path
    page.goto(home)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    response = page.goto(home)
    assert response is not None
    assert "/login?next=" in page.url


def test_wrong_password_shows_one_message(page: Page, demo_accounts: list[DemoAccount]) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(demo_accounts[0].email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Invalid email or password.")
    screenshot(page, "sign-in-error")
