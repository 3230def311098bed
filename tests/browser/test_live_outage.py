"""An open dashboard outlives a database restart (issue 12 item 21): the badge says
"reconnecting" while the database is away, and once it is back a new ticket shows without a
reload. Its own PostgreSQL, since the shared one must not stop."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
import pytest
from playwright.sync_api import Browser, expect

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db import embedded
from support_analytics.db.engine import libpq_url
from tests.browser.conftest import VIEWPORT, start_server
from tests.browser.dashboard_helpers import wait_for_view
from tests.load.harness import admin_token, stoppable_database

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def test_live_updates_resume_by_themselves_after_a_database_restart(browser: Browser) -> None:
    serving = contextmanager(start_server)
    with stoppable_database() as (home, url), serving(url) as live:
        token = admin_token(url)
        context = browser.new_context(base_url=live.base_url, viewport=VIEWPORT)
        try:
            context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": live.base_url}])
            page = context.new_page()
            page.goto("/dashboard?priority=is:urgent")
            wait_for_view(page)
            badge = page.locator("[data-live-badge]")
            expect(badge).to_have_text("live", timeout=15_000)
            total = page.locator("[data-metric=total_tickets]")
            before = int(total.inner_text().replace(",", ""))

            embedded.stop(home)
            expect(badge).to_have_text("reconnecting", timeout=30_000)
            embedded.start(home)
            expect(badge).to_have_text("live", timeout=60_000)

            with psycopg.connect(libpq_url(url), autocommit=True) as conn:
                conn.execute(
                    "INSERT INTO tickets (client_id, assigned_to, ticket_type_id, status,"
                    " priority, title, created_at)"
                    " VALUES (1, 1, 1, 'open', 'urgent', 'After the restart', now())"
                )
            expect(total).to_have_text(f"{before + 1:,}", timeout=10_000)
        finally:
            context.close()
