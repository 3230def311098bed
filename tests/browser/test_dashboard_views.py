"""Every analytics view shows the JSON API's numbers for the same URL, with and without
filters, and each page is photographed for the README."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from support_analytics.dates import day_text
from tests.browser.conftest import PHONE_VIEWPORT, LiveServer, Login, screenshot
from tests.browser.dashboard_helpers import (
    api_json,
    cell,
    fmt_count,
    fmt_hours,
    fmt_money,
    fmt_one,
    fmt_pct,
    member_id,
    type_id,
    wait_for_view,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def question_filters(live_server: LiveServer) -> str:
    """The issue's question: urgent Billing Question tickets of sarah_jones in Q2 2025."""
    return urlencode(
        {
            "date": "between:2025-04-01,2025-06-30",
            "team_member": f"is:{member_id(live_server, 'sarah_jones')}",
            "ticket_type": f"is:{type_id(live_server, 'Billing Question')}",
            "priority": "is:urgent",
        }
    )


NEGATIVE = urlencode(
    {
        "date": "on_or_after:2025-09-01",
        "team_member": "none_of:1,2,unassigned",
        "priority": "any_of:high,urgent",
    }
)


@pytest.fixture
def manager(page: Page, login: Login) -> Page:
    login(page, "manager")
    return page


def queries(question_filters: str) -> list[str]:
    return ["", question_filters, NEGATIVE]


def test_overview_cards_equal_the_api(manager: Page, question_filters: str) -> None:
    for query in queries(question_filters):
        manager.goto(f"/dashboard?{query}")
        wait_for_view(manager)
        api = api_json(manager, f"/api/v1/analytics/overview?{query}")
        expect(manager.locator("[data-metric=total_tickets]")).to_have_text(
            fmt_count(api["total_tickets"])
        )
        expect(manager.locator("[data-metric=open_tickets]")).to_have_text(
            fmt_count(api["open_tickets"])
        )
        expect(manager.locator("[data-metric=avg_resolution_hours]")).to_have_text(
            fmt_hours(api["avg_resolution_hours"])
        )
        expect(manager.locator("[data-metric=csat_avg]")).to_have_text(fmt_one(api["csat_avg"]))
        if api["feedback_count"]:
            expect(manager.locator("[data-metric=csat_detail]")).to_have_text(
                f"{fmt_one(api['csat_satisfied_pct'])}% rated 4-5 · "
                f"{fmt_count(api['feedback_count'])} ratings"
            )
    # A closed range shows period-over-period deltas.
    manager.goto(f"/dashboard?{question_filters}")
    expect(manager.locator("[data-delta=total_tickets]")).to_be_visible()


def test_tickets_over_time_equals_the_api(manager: Page, question_filters: str) -> None:
    for query in queries(question_filters):
        manager.goto(f"/dashboard/over-time?{query}")
        wait_for_view(manager, charts=1)
        series = api_json(manager, f"/api/v1/analytics/tickets-over-time?{query}")["series"]
        assert isinstance(series, list)
        rows = manager.locator("#over-time-table tbody tr")
        expect(rows).to_have_count(len(series))
        for point in series:
            assert isinstance(point, dict)
            row = manager.locator(f"#over-time-table tr[data-month='{point['month']}']")
            assert cell(row, "created") == fmt_count(point["created"])
            assert cell(row, "resolved") == fmt_count(point["resolved"])


def test_team_table_equals_the_api(manager: Page, question_filters: str) -> None:
    for query in queries(question_filters):
        manager.goto(f"/dashboard/team?{query}")
        wait_for_view(manager)
        rows = api_json(manager, f"/api/v1/analytics/team-performance?{query}")["rows"]
        assert isinstance(rows, list)
        if "team_member" not in query:
            assert len(rows) == 15  # every member, even with 0 tickets
        expect(manager.locator("#team-table tbody tr")).to_have_count(len(rows))
        for row in rows:
            assert isinstance(row, dict)
            tr = manager.locator(f"#team-table tr[data-member-id='{row['team_member_id']}']")
            assert cell(tr, "name").endswith(str(row["name"]))
            assert cell(tr, "tickets_assigned") == fmt_count(row["tickets_assigned"])
            assert cell(tr, "tickets_resolved") == fmt_count(row["tickets_resolved"])
            assert cell(tr, "avg_resolution_hours") == fmt_hours(row["avg_resolution_hours"])
            assert cell(tr, "avg_rating") == fmt_one(row["avg_rating"])


def test_distribution_equals_the_api(manager: Page, question_filters: str) -> None:
    for query in ["", NEGATIVE]:
        manager.goto(f"/dashboard/distribution?{query}")
        wait_for_view(manager, charts=2)
        types = api_json(manager, f"/api/v1/analytics/ticket-types?{query}")["rows"]
        assert isinstance(types, list)
        for row in types:
            assert isinstance(row, dict)
            tr = manager.locator(f"#types-table tr[data-type-id='{row['ticket_type_id']}']")
            assert cell(tr, "count") == fmt_count(row["count"])
            assert cell(tr, "pct") == fmt_pct(row["pct"])
        priorities = api_json(manager, f"/api/v1/analytics/priorities?{query}")["rows"]
        assert isinstance(priorities, list)
        for row in priorities:
            assert isinstance(row, dict)
            tr = manager.locator(f"#priorities-table tr[data-priority='{row['priority']}']")
            for key in ("open", "closed", "total"):
                assert cell(tr, key) == fmt_count(row[key])


def test_clients_equal_the_api(manager: Page, question_filters: str) -> None:
    for query in ["", NEGATIVE]:
        manager.goto(f"/dashboard/clients?{query}")
        wait_for_view(manager)
        sep = "&" if query else ""
        api = api_json(manager, f"/api/v1/analytics/clients?{query}{sep}page=1&page_size=20")
        rows = api["rows"]
        assert isinstance(rows, list)
        expect(manager.locator("#clients-table tbody tr")).to_have_count(len(rows))
        for row in rows:
            assert isinstance(row, dict)
            tr = manager.locator(f"#clients-table tr[data-client-id='{row['client_id']}']")
            assert cell(tr, "name") == row["name"]
            assert cell(tr, "total_tickets") == fmt_count(row["total_tickets"])
            assert cell(tr, "open_tickets") == fmt_count(row["open_tickets"])
            assert cell(tr, "total_spent") == fmt_money(Decimal(str(row["total_spent"])))
            last = row["last_ticket_at"]
            shown = day_text(date.fromisoformat(str(last)[:10])) if last else "—"
            assert cell(tr, "last_ticket_at") == shown
        expect(manager.locator("[data-page-info]")).to_contain_text(
            f"{fmt_count(api['total'])} clients"
        )


def test_resolution_times_equal_the_api(manager: Page, question_filters: str) -> None:
    for query in queries(question_filters):
        manager.goto(f"/dashboard/resolution?{query}")
        wait_for_view(manager)
        api = api_json(manager, f"/api/v1/analytics/resolution-times?{query}")
        by_priority = api["by_priority"]
        assert isinstance(by_priority, list)
        for row in by_priority:
            assert isinstance(row, dict)
            tr = manager.locator(f"#resolution-table tr[data-priority='{row['priority']}']")
            assert cell(tr, "count") == fmt_count(row["count"])
            for key in ("min", "q1", "median", "q3", "p90", "max", "avg"):
                assert cell(tr, f"{key}_hours") == fmt_hours(row[f"{key}_hours"])
        expect(manager.locator("[data-metric=overdue_count]")).to_have_text(
            fmt_count(api["overdue_count"])
        )
        sep = "&" if query else ""
        late = api_json(manager, f"/api/v1/analytics/overdue?{query}{sep}page=1&page_size=20")
        rows = late["rows"]
        assert isinstance(rows, list)
        ids = manager.locator("#overdue-table tbody tr").evaluate_all(
            "rows => rows.map(r => Number(r.dataset.ticketId))"
        )
        assert ids == [row["ticket_id"] for row in rows if isinstance(row, dict)]


VIEWS = (
    ("overview", "/dashboard"),
    ("over-time", "/dashboard/over-time"),
    ("team", "/dashboard/team"),
    ("distribution", "/dashboard/distribution"),
    ("clients", "/dashboard/clients"),
    ("resolution", "/dashboard/resolution"),
)


@pytest.mark.parametrize(("name", "path"), VIEWS)
def test_screenshot_of_every_view(
    manager: Page, question_filters: str, name: str, path: str
) -> None:
    query = "date=between:2025-04-01,2025-06-30&priority=any_of:high,urgent"
    manager.goto(f"{path}?{query}")
    wait_for_view(manager)
    expect(manager.locator(".chip")).to_have_count(2)
    screenshot(manager, f"dashboard-{name}")


def test_question_from_the_issue_is_answered(manager: Page, question_filters: str) -> None:
    manager.goto(f"/dashboard/resolution?{question_filters}")
    wait_for_view(manager)
    expect(manager.locator("[data-description]")).to_contain_text("Sarah Jones")
    expect(manager.locator("[data-description]")).to_contain_text("Billing Question")
    screenshot(manager, "dashboard-question", full_page=True)


def test_phone_width_is_readable(manager: Page) -> None:
    manager.set_viewport_size(PHONE_VIEWPORT)
    manager.goto("/dashboard")
    wait_for_view(manager)
    width = manager.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"]
    screenshot(manager, "dashboard-phone", full_page=True)


def test_bad_filter_is_a_readable_422_page(manager: Page) -> None:
    response = manager.goto("/dashboard/team?priority=is:critical")
    assert response is not None
    assert response.status == 422
    expect(manager.locator(".error-message")).to_contain_text("unknown priority")


def test_clients_cannot_open_the_dashboard(page: Page, login: Login) -> None:
    login(page, "client_a")
    response = page.goto("/dashboard")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)
    expect(page.get_by_role("link", name="Portal")).to_be_visible()


def test_anonymous_visitors_are_sent_to_sign_in(page: Page) -> None:
    page.goto("/dashboard/team?sort=name")
    assert "/login?next=" in page.url


def test_overdue_list_loads_after_the_charts_on_a_filter_change(manager: Page) -> None:
    manager.goto("/dashboard/resolution")
    wait_for_view(manager, charts=2)
    manager.evaluate(
        "() => document.querySelector('select[name=priority]').tomselect.setValue(['low'])"
    )
    manager.wait_for_url(lambda url: "priority=is%3Alow" in url)
    expect(manager.locator("[data-overdue-loading]")).to_have_count(0)
    late = api_json(manager, "/api/v1/analytics/overdue?priority=is:low&page=1&page_size=20")
    rows = late["rows"]
    assert isinstance(rows, list)
    expect(manager.locator("#overdue-table tbody tr")).to_have_count(len(rows))
    worst = rows[0]
    assert isinstance(worst, dict)
    first = manager.locator("#overdue-table tbody tr").first
    expect(first).to_have_attribute("data-ticket-id", str(worst["ticket_id"]))
