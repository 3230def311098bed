"""The header's alert notification: an alert that fires while a page is open shows in the
header without a reload. (Its own module: it writes to the module's database.)"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from support_analytics.alerts import evaluate
from support_analytics.db.engine import connect
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import owner_transaction
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

    owner = connect(live_server.database_url, pool_size=2)
    requests = connect_for_requests(live_server.database_url, pool_size=1)
    try:
        with owner_transaction(owner) as session:
            session.execute(
                text(
                    "INSERT INTO alert_rules (owner_id, name, metric, comparator, threshold)"
                    " VALUES (:owner, 'Anything open', 'open_tickets', '>', 0)"
                ),
                {"owner": browser_users["manager"].id},
            )
        [fired] = evaluate.evaluate(owner, requests, ZoneInfo("UTC"), live_server.base_url)
    finally:
        owner.engine.dispose()
        requests.engine.dispose()

    expect(bell).to_be_visible(timeout=5_000)
    expect(bell).to_contain_text("Anything open")
    assert bell.get_attribute("href", timeout=1_000) == f"/alerts/{fired.rule_id}"
