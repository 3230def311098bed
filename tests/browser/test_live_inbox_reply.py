"""A reply written in the inbox moves an open dashboard's Responsiveness numbers, live and
exactly: the awaiting-first-reply card drops by that one ticket and every card then shows what
the API returns. The wait is bounded (a few seconds), never asserted as a time.
(Its own module: it writes to the module's database.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from support_analytics.analytics.schemas import Responsiveness
from support_analytics.web.templating import hours, one_decimal, thousands
from tests.browser.conftest import OpenAs
from tests.browser.dashboard_helpers import api_json, wait_for_view

pytestmark = pytest.mark.browser

FILTERS = "priority=is:urgent"


def _cards(page: Page) -> dict[str, str]:
    return {
        key: page.locator(f"[data-metric={key}]").inner_text()
        for key in ("median_frt", "p90_frt", "awaiting_first_reply", "one_touch_pct")
    }


def _expected(page: Page) -> dict[str, str]:
    api = Responsiveness.model_validate(
        api_json(page, f"/api/v1/analytics/responsiveness?{FILTERS}")
    )
    return {
        "median_frt": hours(api.first_response.median_hours),
        "p90_frt": hours(api.first_response.p90_hours),
        "awaiting_first_reply": thousands(api.first_response.awaiting),
        "one_touch_pct": one_decimal(api.one_touch.pct),
    }


def test_inbox_reply_moves_the_open_responsiveness_view(open_as: OpenAs) -> None:
    client = open_as("client_a")
    created = client.request.post(
        "/api/v1/tickets",
        data={
            "title": "Live reply test",
            "ticket_type_id": 1,
            "priority": "urgent",
            "message": "Nothing works.",
        },
    )
    assert created.status == 201, created.text()
    ticket_id = created.json()["id"]

    manager = open_as("manager")
    manager.goto(f"/dashboard/responsiveness?{FILTERS}")
    wait_for_view(manager)
    expect(manager.locator("[data-live-badge]")).to_have_text("live")
    before = _cards(manager)
    assert before == _expected(manager)
    awaiting = int(before["awaiting_first_reply"].replace(",", ""))
    assert awaiting >= 1

    agent = open_as("agent")
    agent.goto(f"/tickets/{ticket_id}")
    agent.get_by_label(re.compile(r"^Reply as")).fill("Looking into it now.")
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator(".thread")).to_contain_text("Looking into it now.")

    card = manager.locator("[data-metric=awaiting_first_reply]")
    expect(card).to_have_text(thousands(awaiting - 1), timeout=5_000)
    after = _expected(manager)
    assert int(after["awaiting_first_reply"].replace(",", "")) == awaiting - 1
    for key, value in after.items():
        expect(manager.locator(f"[data-metric={key}]")).to_have_text(value, timeout=5_000)
    assert manager.url.endswith(f"/dashboard/responsiveness?{FILTERS}")  # no navigation
