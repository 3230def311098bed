"""Live updates: a ticket written by anyone shows on an open dashboard without a reload.
(Its own module: it writes to the module's database.)"""

from __future__ import annotations

import psycopg
import pytest
from playwright.sync_api import Page, expect

from support_analytics.db.engine import libpq_url
from tests.browser.conftest import LiveServer, Login
from tests.browser.dashboard_helpers import wait_for_view

pytestmark = pytest.mark.browser


def test_a_new_ticket_refreshes_the_open_view(
    page: Page, login: Login, live_server: LiveServer
) -> None:
    login(page, "manager")
    page.goto("/dashboard?priority=is:urgent")
    wait_for_view(page)
    badge = page.locator("[data-live-badge]")
    expect(badge).to_have_text("live")
    total = page.locator("[data-metric=total_tickets]")
    before = int(total.inner_text().replace(",", ""))

    with psycopg.connect(libpq_url(live_server.database_url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO tickets (client_id, assigned_to, ticket_type_id, status, priority,"
            " title, created_at) VALUES (1, 1, 1, 'open', 'urgent', 'Live update test', now())"
        )

    expect(total).to_have_text(f"{before + 1:,}", timeout=5_000)
    expect(badge).to_have_text("live")  # the swapped-in freshness line keeps the badge
    assert page.url.endswith("/dashboard?priority=is:urgent")  # no navigation happened
