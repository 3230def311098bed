"""Tables: the team table sorts and filters by every column, client search is debounced and
paginated, CSV downloads hold what the table shows, and every number, card and chart element
clicks through to the ticket list with exactly those tickets."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import Login
from tests.browser.dashboard_helpers import JsonObject, api_json, api_text, fmt_count, wait_for_view

pytestmark = pytest.mark.browser

TEAM_COLUMNS = (
    ("name", False),
    ("tickets_assigned", True),
    ("tickets_resolved", True),
    ("avg_resolution_hours", True),
    ("avg_rating", True),
    ("status", False),
)


@pytest.fixture
def manager(page: Page, login: Login) -> Page:
    login(page, "manager")
    return page


def query_of(page: Page) -> str:
    return urlparse(page.url).query


def params_of(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query_of(page)).items()}


def settle(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def team_ids(page: Page) -> list[int]:
    ids = page.locator("#team-table tbody tr[data-member-id]").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.memberId))"
    )
    assert isinstance(ids, list)
    return [int(i) for i in ids]


def api_team_ids(page: Page) -> list[int]:
    rows = api_json(page, f"/api/v1/analytics/team-performance?{query_of(page)}")["rows"]
    assert isinstance(rows, list)
    return [int(str(row["team_member_id"])) for row in rows if isinstance(row, dict)]


def test_team_table_sorts_by_every_column_both_ways(manager: Page) -> None:
    manager.goto("/dashboard/team?date=between:2025-01-01,2025-06-30")
    wait_for_view(manager)
    for column, numeric in TEAM_COLUMNS:
        header = manager.locator(f"#team-table thead th[data-col={column}]")
        first = "descending" if numeric else "ascending"
        second = "ascending" if numeric else "descending"
        for direction in (first, second):
            header.locator("a").click()
            sort = f"-{column}" if direction == "descending" else column
            manager.wait_for_url(re.compile(f"sort={re.escape(sort)}(&|$)"))
            settle(manager)
            expect(header).to_have_attribute("aria-sort", direction)
            assert params_of(manager)["date"] == "between:2025-01-01,2025-06-30"
            assert team_ids(manager) == api_team_ids(manager), (column, direction)


COLUMN_FILTERS = (
    ("#f-name", "son", "name", "contains:son"),
    ("#f-tickets_assigned-min", "2850", "tickets_assigned", "gte:2850"),
    ("#f-tickets_resolved-max", "2000", "tickets_resolved", "lte:2000"),
    ("#f-avg_rating-min", "3.78", "avg_rating", "gte:3.78"),
)


def test_team_table_filters_every_column(manager: Page) -> None:
    manager.goto("/dashboard/team")
    wait_for_view(manager)
    for selector, value, key, expected in COLUMN_FILTERS:
        manager.fill(selector, value)
        manager.wait_for_url(re.compile(f"{key}="))
        settle(manager)
        assert params_of(manager)[key] == expected
        ids = team_ids(manager)
        assert ids == api_team_ids(manager), key
        expect(manager.locator(selector)).to_have_value(value)  # the control keeps its value
        manager.fill(selector, "")
        manager.wait_for_url(re.compile(f"^(?!.*[?&]{key}=)"))
        settle(manager)
    # A numeric range (both ends) and the status "equals" select.
    manager.fill("#f-avg_resolution_hours-min", "23.9")
    manager.wait_for_url(re.compile("avg_resolution_hours=gte"))
    manager.fill("#f-avg_resolution_hours-max", "24.1")
    manager.wait_for_url(re.compile("avg_resolution_hours=between%3A23.9%2C24.1"))
    settle(manager)
    assert team_ids(manager) == api_team_ids(manager)
    manager.select_option("#f-status", "active")
    manager.wait_for_url(re.compile("status=is%3Aactive"))
    settle(manager)
    assert params_of(manager)["status"] == "is:active"
    assert team_ids(manager) == api_team_ids(manager)
    manager.fill("#f-name", "zzz-nobody")
    manager.wait_for_url(re.compile("name=contains"))
    settle(manager)
    expect(manager.locator("[data-no-rows]")).to_be_visible()


def test_top_performers_are_highlighted_with_the_rule_on_the_page(manager: Page) -> None:
    manager.goto("/dashboard/team")
    wait_for_view(manager)
    expect(manager.locator("#top-rule")).to_contain_text("most resolved tickets")
    top = api_json(manager, "/api/v1/analytics/team-performance")["top_performer_ids"]
    assert isinstance(top, list)
    highlighted = manager.locator("#team-table tr[data-top]").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.memberId))"
    )
    assert sorted(highlighted) == sorted(int(str(i)) for i in top)


def test_team_csv_matches_the_table(manager: Page) -> None:
    manager.goto("/dashboard/team?priority=is:high&sort=-avg_rating&tickets_assigned=gte:700")
    wait_for_view(manager)
    href = manager.locator("a[data-csv]").get_attribute("href")
    assert href is not None
    rows = list(csv.DictReader(io.StringIO(api_text(manager, href))))
    assert [int(r["team_member_id"]) for r in rows] == team_ids(manager)
    for row in rows:
        tr = manager.locator(f"#team-table tr[data-member-id='{row['team_member_id']}']")
        assert tr.locator("[data-col=tickets_assigned]").inner_text() == fmt_count(
            row["tickets_assigned"]
        )
        assert tr.locator("[data-col=name]").inner_text().endswith(row["name"])


def test_client_search_is_debounced_and_paginated(manager: Page) -> None:
    manager.goto("/dashboard/clients")
    wait_for_view(manager)
    expect(manager.locator("#clients-table tbody tr")).to_have_count(20)
    expect(manager.locator("[data-page-info]")).to_contain_text("Page 1 of 3")

    manager.locator("#clients-next").click()
    manager.wait_for_url(re.compile("page=2"))
    settle(manager)
    page2 = api_json(manager, "/api/v1/analytics/clients?page=2&page_size=20")["rows"]
    assert isinstance(page2, list)
    names = manager.locator("#clients-table [data-col=name]").all_inner_texts()
    assert names == [row["name"] for row in page2 if isinstance(row, dict)]
    manager.locator("#clients-prev").click()
    manager.wait_for_url(lambda url: "page=" not in url)
    settle(manager)
    expect(manager.locator("[data-page-info]")).to_contain_text("Page 1 of 3")

    searches: list[str] = []

    def record(request: Request) -> None:
        if "/dashboard/clients" in request.url and "q=" in request.url:
            searches.append(request.url)

    manager.on("request", record)
    manager.locator("#client-q").press_sequentially("tech", delay=40)
    manager.wait_for_url(re.compile("q=tech"))
    settle(manager)
    assert len(searches) == 1, searches  # typing fast sends one request, not four
    found = api_json(manager, "/api/v1/analytics/clients?q=tech&page=1&page_size=20")
    rows = found["rows"]
    assert isinstance(rows, list)
    names = manager.locator("#clients-table [data-col=name]").all_inner_texts()
    assert names == [row["name"] for row in rows if isinstance(row, dict)]
    assert all("tech" in name.lower() for name in names)
    expect(manager.locator("#client-q")).to_be_focused()

    href = manager.locator("a[data-csv]").get_attribute("href")
    assert href is not None
    exported = list(csv.DictReader(io.StringIO(api_text(manager, href))))
    assert [r["name"] for r in exported][: len(names)] == names

    manager.reload()
    wait_for_view(manager)
    expect(manager.locator("#client-q")).to_have_value("tech")

    manager.locator("#client-q").fill("no client is called this")
    manager.wait_for_url(re.compile("q=no"))
    settle(manager)
    expect(manager.get_by_text("No clients match")).to_be_visible()


def inbox_total(page: Page, url: str) -> int:
    query = urlparse(url).query
    found: JsonObject = api_json(page, f"/api/v1/tickets?{query}&page_size=1")
    return int(str(found["total"]))


def test_numbers_click_through_to_exactly_those_tickets(manager: Page) -> None:
    base = "date=between:2025-04-01,2025-06-30&priority=any_of:high,urgent"
    manager.goto(f"/dashboard?{base}")
    wait_for_view(manager)
    total = manager.locator("[data-metric=total_tickets]").inner_text()
    manager.locator("[data-metric=total_tickets] a").click()
    manager.wait_for_url(re.compile(r"/tickets\?"))
    assert inbox_total(manager, manager.url) == int(total.replace(",", ""))
    expect(manager.locator("#inbox-summary")).to_contain_text(total)

    manager.goto(f"/dashboard/team?{base}")
    wait_for_view(manager)
    cell = manager.locator("#team-table tbody tr").first.locator("[data-col=tickets_resolved] a")
    number = int(cell.inner_text().replace(",", ""))
    cell.click()
    manager.wait_for_url(re.compile(r"/tickets\?"))
    params = params_of(manager)
    assert params["status"] == "resolved,closed"
    assert params["team_member"].startswith("is:")
    assert inbox_total(manager, manager.url) == number

    # The average resolution card opens the resolved and closed tickets it averages over.
    manager.goto(f"/dashboard?{base}")
    wait_for_view(manager)
    manager.locator("[data-metric=avg_resolution_hours] a").click()
    manager.wait_for_url(re.compile(r"/tickets\?"))
    assert params_of(manager)["status"] == "resolved,closed"
    by_priority = api_json(manager, f"/api/v1/analytics/priorities?{base}")["rows"]
    assert isinstance(by_priority, list)
    resolved = sum(int(str(row["closed"])) for row in by_priority if isinstance(row, dict))
    assert resolved > 0
    assert inbox_total(manager, manager.url) == resolved


def test_chart_elements_click_through(manager: Page) -> None:
    manager.goto("/dashboard/distribution?date=on_or_after:2025-10-01")
    wait_for_view(manager, charts=2)
    payload = manager.evaluate(
        "() => JSON.parse(document.getElementById('chart-priorities').textContent)"
    )
    assert isinstance(payload, dict)
    # Every link behind a bar selects as many tickets as the bar shows.
    for key, url in payload["links"].items():
        series, index = (int(part) for part in key.split(":"))
        shown = payload["open" if series == 0 else "closed"][index]
        assert inbox_total(manager, url) == shown, key
    # And a real click on the "urgent / open" bar opens that list.
    point = manager.evaluate(
        """() => {
            const el = document.querySelector('[data-chart=priorityBars]');
            el.scrollIntoView({block: "center"});  // a mouse click only lands in the viewport
            const chart = echarts.getInstanceByDom(el);
            const data = JSON.parse(document.getElementById('chart-priorities').textContent);
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, [3, data.open[3] / 2]);
            const box = el.getBoundingClientRect();
            return {x: box.left + x, y: box.top + y, expected: data.open[3]};
        }"""
    )
    assert isinstance(point, dict)
    manager.mouse.click(point["x"], point["y"])
    manager.wait_for_url(re.compile(r"/tickets\?"))
    params = params_of(manager)
    assert params["priority"] == "is:urgent"
    assert params["status"] == "open,in_progress"
    assert inbox_total(manager, manager.url) == point["expected"]


def test_csat_card_and_resolved_points_click_through(manager: Page) -> None:
    base = "date=between:2025-04-01,2025-06-30&priority=any_of:high,urgent"
    ratings = int(str(api_json(manager, f"/api/v1/analytics/overview?{base}")["feedback_count"]))
    assert ratings > 0
    manager.goto(f"/dashboard?{base}")
    wait_for_view(manager)
    manager.locator("[data-metric=csat_avg] a").click()
    manager.wait_for_url(re.compile(r"/tickets\?"))
    assert params_of(manager)["rating"] == "any"
    assert inbox_total(manager, manager.url) == ratings
    expect(manager.locator("#inbox-summary")).to_contain_text(f"{ratings:,}")
    expect(manager.locator("#inbox-summary")).to_contain_text("rated (any rating)")
    expect(manager.locator("#rating")).to_have_value("any")

    # A "resolved" point: the month where the two series are furthest apart, so the click
    # cannot land on the "created" point instead.
    manager.goto(f"/dashboard/over-time?{base}")
    wait_for_view(manager, charts=1)
    point = manager.evaluate(
        """() => {
            const el = document.querySelector('[data-chart=overTime]');
            const chart = echarts.getInstanceByDom(el);
            const data = JSON.parse(document.getElementById('chart-over-time').textContent);
            let best = 0;
            data.resolved.forEach((n, i) => {
                const gap = Math.abs(n - data.created[i]);
                if (gap > Math.abs(data.resolved[best] - data.created[best])) best = i;
            });
            const [x, y] = chart.convertToPixel({seriesIndex: 1}, [best, data.resolved[best]]);
            const box = el.getBoundingClientRect();
            return {x: box.left + x, y: box.top + y, expected: data.resolved[best]};
        }"""
    )
    assert isinstance(point, dict)
    manager.mouse.click(point["x"], point["y"])
    manager.wait_for_url(re.compile(r"/tickets\?"))
    params = params_of(manager)
    assert "date" not in params
    assert params["resolved"].startswith("between:2025-0")
    assert params["priority"] == "any_of:high,urgent"
    assert inbox_total(manager, manager.url) == point["expected"]
    expect(manager.locator("#inbox-summary")).to_contain_text(f"{point['expected']:,}")
    # The resolution day shows as a chip; removing it keeps the other filters.
    chip = manager.locator("[data-chip=resolved]")
    expect(chip).to_contain_text("resolved between")
    chip.locator("a").click()
    manager.wait_for_function("() => !location.search.includes('resolved=')")
    settle(manager)
    assert params_of(manager) == {"priority": "any_of:high,urgent"}
    expect(manager.locator("[data-chip=resolved]")).to_have_count(0)
