"""The SLAs view in a browser: a ticket whose resolution is due seconds after the page loads
moves from the at-risk board to breached when its due time passes, without a reload (time
drives it, not an event), and the cards and the compliance chart show what the API returns."""

from __future__ import annotations

import psycopg
import pytest
from playwright.sync_api import Page

from support_analytics.db.engine import libpq_url
from support_analytics.sla.schemas import SlaBlock, SlaBreachesPage, SlaBreakdown, SlaTarget
from support_analytics.web.templating import one_decimal, thousands
from tests.browser.conftest import LiveServer, Login
from tests.browser.dashboard_helpers import api_json, wait_for_view

pytestmark = pytest.mark.browser

# Open, and due `seconds` from now: created its type's hours ago, plus those seconds.
DUE_IN = """UPDATE tickets t SET status = 'open', resolved_at = NULL,
  created_at = now() - y.avg_resolution_hours * interval '1 hour' + %s * interval '1 second'
  FROM ticket_types y WHERE y.id = t.ticket_type_id AND t.id = %s"""
TICKET = 101
DRAWN = """() => {
  const el = document.querySelector('[data-sla-chart]');
  return echarts.getInstanceByDom(el).getOption().series.map(s => s.data);
}"""


def _count(page: Page, which: str) -> int:
    return int(page.locator(f"[data-sla-count={which}]").inner_text().replace(",", ""))


def test_a_ticket_crossing_its_due_time_moves_to_breached_without_a_reload(
    page: Page, login: Login, live_server: LiveServer
) -> None:
    login(page, "manager")
    with psycopg.connect(libpq_url(live_server.database_url), autocommit=True) as conn:
        conn.execute(DUE_IN.encode(), (15, TICKET))
    page.goto("/dashboard/sla")
    wait_for_view(page, charts=1)
    row = page.locator(f'#sla-board tr[data-ticket="{TICKET}"]')
    assert row.get_attribute("data-state") == "at_risk"
    at_risk, breached = _count(page, "at_risk"), _count(page, "breached")
    # A marker a reload would wipe.
    page.evaluate("() => { window.notReloaded = true; }")
    countdown = row.locator("[data-countdown]").inner_text()
    assert "s" in countdown
    page.wait_for_selector(
        f'[data-sla-list="breached"] tr[data-ticket="{TICKET}"][data-state="breached"]',
        timeout=30_000,
    )
    assert page.evaluate("() => window.notReloaded") is True
    assert _count(page, "at_risk") == at_risk - 1
    assert _count(page, "breached") == breached + 1
    # The server agrees once asked again: no longer at risk, one more breached.
    api = "/api/v1/analytics/sla-breaches?target=resolution&state="
    at_risk_now = SlaBreachesPage.model_validate(api_json(page, f"{api}at_risk"))
    assert TICKET not in [r.ticket_id for r in at_risk_now.rows]
    assert SlaBreachesPage.model_validate(api_json(page, f"{api}breached")).total == breached + 1


def test_the_view_shows_the_apis_numbers(page: Page, login: Login) -> None:
    login(page, "agent")
    dates = "date=between:2025-01-01,2025-06-30"
    query = f"{dates}&grain=month"
    page.goto(f"/dashboard/sla?{query}")
    wait_for_view(page, charts=1)
    block = SlaBlock.model_validate(api_json(page, f"/api/v1/analytics/sla?{dates}"))
    for target in ("first_response", "resolution"):
        numbers: SlaTarget = getattr(block, target)
        metric = page.locator(f"[data-metric={target}_compliance]").inner_text()
        assert metric == one_decimal(numbers.compliance_pct)
        shown = page.locator(f"[data-metric={target}_breached]").inner_text()
        assert shown == thousands(numbers.breached)
    months = SlaBreakdown.model_validate(
        api_json(page, f"/api/v1/analytics/sla/breakdown?by=period&{query}")
    ).rows
    assert len(months) == 6

    def r(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    assert page.evaluate(DRAWN) == [
        [r(m.first_response_compliance_pct) for m in months],
        [r(m.resolution_compliance_pct) for m in months],
    ]
