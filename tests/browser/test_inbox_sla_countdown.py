"""The inbox's SLA countdown follows the clock: a ticket whose first response falls due a few
seconds after the page loads turns from "At risk" to "Breached" on the open page, driven by
time (no event, no reload), and the API then says breached too. Bounded waits only.
(Its own module: it writes to the module's database.)"""

from __future__ import annotations

import psycopg
import pytest
from playwright.sync_api import Page, expect

from support_analytics.db.engine import libpq_url
from tests.browser.conftest import LiveServer, Login
from tests.browser.dashboard_helpers import api_json

pytestmark = pytest.mark.browser

MARGIN_SECONDS = 20  # enough to load the page at risk on a loaded machine


def test_countdown_crosses_into_breached(page: Page, login: Login, live_server: LiveServer) -> None:
    with psycopg.connect(libpq_url(live_server.database_url), autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO tickets (client_id, ticket_type_id, status, priority, title, created_at)"
            " SELECT 1, id, 'open', 'urgent', 'Countdown test',"
            " now() - make_interval(secs => 3600 - %s)"
            " FROM ticket_types ORDER BY avg_resolution_hours DESC, id LIMIT 1 RETURNING id",
            (MARGIN_SECONDS,),
        ).fetchone()
    assert row is not None
    ticket_id = row[0]
    login(page, "agent")
    page.goto("/tickets?sla=at_risk")
    cell = page.locator(f"tr:has(td[data-label='#']:text-is('{ticket_id}')) [data-label='SLA due']")
    expect(cell).to_have_attribute("data-sla-state", "at_risk")
    expect(cell.locator(".pill")).to_have_text("At risk")
    expect(cell.locator("time")).to_contain_text("due in")

    expect(cell).to_have_attribute(
        "data-sla-state", "breached", timeout=(MARGIN_SECONDS + 15) * 1000
    )
    expect(cell.locator(".pill")).to_have_text("Breached")
    expect(cell.locator("time")).to_contain_text("overdue by")
    assert page.url.endswith("/tickets?sla=at_risk")  # the same page, not reloaded
    listed = api_json(page, f"/api/v1/tickets/{ticket_id}")
    assert listed["sla_state"] == "breached"
