"""The header's alert notification: an alert that fires while a page is open shows in the
header without a reload. (Its own module: it writes to the module's database.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.alert_helpers import fire_open_tickets_rule
from tests.browser.conftest import LiveServer, Login
from tests.fixtures.auth import Persona, TestUser

pytestmark = pytest.mark.browser


def test_a_firing_shows_in_the_header_live(
    page: Page,
    login: Login,
    live_server: LiveServer,
    browser_users: dict[Persona, TestUser],
) -> None:
    login(page, "agent")
    page.goto("/tickets")
    bell = page.locator("[data-alert-bell]")
    expect(bell).to_be_hidden()
    page.wait_for_timeout(1000)  # the page's event stream is open

    rule_id = fire_open_tickets_rule(live_server, browser_users["manager"].id, "Anything open")

    expect(bell).to_be_visible(timeout=5_000)
    expect(bell).to_contain_text("Anything open")
    assert bell.get_attribute("href", timeout=1_000) == f"/alerts/{rule_id}"
