"""Issue 11, interaction defects: links and forms outside the swapped region follow the
address after every filter change (tabs, the inbox's own filter row), Enter in a searchable
multi-select picks what was typed however fast, and the team table survives a momentary
min > max in a numeric column filter."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from support_analytics.web.pages.dashboard import VIEWS
from tests.browser.conftest import Login
from tests.browser.dashboard_helpers import wait_for_view

pytestmark = pytest.mark.browser

FILTER_KEYS = ("date", "team_member", "ticket_type", "priority")


@pytest.fixture
def manager(page: Page, login: Login) -> Page:
    login(page, "manager")
    return page


def params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def filter_state(url: str) -> dict[str, str]:
    return {k: v for k, v in params(url).items() if k in FILTER_KEYS}


def settle(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def set_priority(page: Page, values: list[str]) -> None:
    page.evaluate(
        "v => document.querySelector('select[name=priority]').tomselect.setValue(v)", values
    )


def tab_states(page: Page) -> list[dict[str, str]]:
    hrefs = page.locator("nav[aria-label='Dashboard views'] a").evaluate_all(
        "links => links.map(a => a.href)"
    )
    assert isinstance(hrefs, list)
    assert len(hrefs) == len(VIEWS), hrefs
    return [filter_state(str(h)) for h in hrefs]


def test_view_tabs_follow_every_filter_change(manager: Page) -> None:
    manager.goto("/dashboard/team?priority=is:low&sort=name")
    wait_for_view(manager)
    assert all(s == {"priority": "is:low"} for s in tab_states(manager))

    set_priority(manager, ["urgent"])
    manager.wait_for_url(re.compile("priority=is%3Aurgent"))
    settle(manager)
    assert all(s == filter_state(manager.url) for s in tab_states(manager)), tab_states(manager)

    # A column filter (swaps only rows) keeps the tabs on the same filter bar state.
    manager.fill("#f-name", "a")
    manager.wait_for_url(re.compile("name=contains"))
    settle(manager)
    assert all(s == {"priority": "is:urgent"} for s in tab_states(manager))

    manager.get_by_role("link", name="Distribution").click()
    manager.wait_for_url(re.compile("/dashboard/distribution"))
    wait_for_view(manager, charts=2)
    assert filter_state(manager.url) == {"priority": "is:urgent"}

    # Removing the last filter empties every tab's filters too (no stale ones come back).
    set_priority(manager, [])
    manager.wait_for_url(lambda url: "priority" not in url)
    settle(manager)
    assert all(s == {} for s in tab_states(manager))
    manager.get_by_role("link", name="Overview").click()
    manager.wait_for_url(re.compile(r"/dashboard(\?|$)"))
    assert filter_state(manager.url) == {}


def test_inbox_filter_row_keeps_the_filter_bar_state(manager: Page) -> None:
    manager.goto("/tickets?priority=is:low")
    manager.wait_for_selector("#inbox-summary")
    set_priority(manager, ["urgent"])
    manager.wait_for_url(re.compile("priority=is%3Aurgent"))
    settle(manager)
    manager.select_option("#status", "open")
    manager.wait_for_url(re.compile("status=open"))
    settle(manager)
    assert params(manager.url) == {"priority": "is:urgent", "status": "open"}
    expect(manager.locator("#inbox-summary")).to_contain_text("urgent")

    # The filter bar keeps the row's state the same way.
    set_priority(manager, ["high"])
    manager.wait_for_url(re.compile("priority=is%3Ahigh"))
    settle(manager)
    assert params(manager.url) == {"priority": "is:high", "status": "open"}


@pytest.mark.parametrize(
    ("key", "typed", "expected"),
    [
        ("priority", "high", "high"),
        ("ticket_type", "billing q", None),
        ("team_member", "sarah", None),
    ],
)
def test_fast_enter_picks_what_was_typed(
    manager: Page, key: str, typed: str, expected: str | None
) -> None:
    manager.goto("/dashboard")
    wait_for_view(manager)
    wanted = manager.locator(f"select[name={key}] option").evaluate_all(
        "(options, typed) => options.filter(o => o.textContent.toLowerCase().includes(typed))"
        ".map(o => o.value)",
        typed,
    )
    assert isinstance(wanted, list)
    assert len(wanted) == 1, wanted
    value = expected or str(wanted[0])
    box = manager.locator(f"fieldset[data-filter='{key}'] .ts-control input")
    box.click()
    manager.keyboard.type(typed, delay=0)
    manager.keyboard.press("Enter")
    manager.wait_for_url(re.compile(f"{key}="))
    settle(manager)
    assert params(manager.url)[key] == f"is:{value}"


def test_team_range_with_min_above_max_keeps_rows_and_recovers(manager: Page) -> None:
    manager.goto("/dashboard/team")
    wait_for_view(manager)
    manager.fill("#f-tickets_assigned-min", "2850")
    manager.wait_for_url(re.compile("tickets_assigned=gte"))
    settle(manager)
    rows = manager.locator("#team-table tbody tr[data-member-id]")
    good = rows.count()
    assert good > 0

    manager.fill("#f-tickets_assigned-max", "2")
    message = manager.locator("#team-filter-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("at least")
    settle(manager)
    expect(rows).to_have_count(good)  # the last good rows stay
    assert "between" not in manager.url

    manager.fill("#f-tickets_assigned-max", "20000")
    manager.wait_for_url(re.compile("tickets_assigned=between%3A2850%2C20000"))
    settle(manager)
    expect(message).to_be_hidden()
    expect(rows).to_have_count(good)
    manager.fill("#f-tickets_assigned-min", "")
    manager.wait_for_url(re.compile("tickets_assigned=lte%3A20000"))
    settle(manager)
    assert rows.count() >= good


def test_bar_labels_have_thousands_separators(manager: Page) -> None:
    manager.goto("/dashboard/distribution")
    wait_for_view(manager, charts=2)
    labels = manager.evaluate(
        """() => {
          const el = document.querySelector("[data-chart=priorityBars]");
          const option = echarts.getInstanceByDom(el).getOption();
          const format = s => s.label.formatter ? s.label.formatter({value: s.data[0]}) : null;
          return option.series.map(format);
        }"""
    )
    assert isinstance(labels, list)
    assert labels
    assert all(isinstance(text, str) and re.fullmatch(r"\d{1,3}(,\d{3})*", text) for text in labels)
    assert any("," in str(text) for text in labels), labels


def test_every_chart_saves_as_png_and_views_print_cleanly(manager: Page) -> None:
    for path, charts in (
        ("/dashboard/over-time", 1),
        ("/dashboard/distribution?priority=is:high", 2),
    ):
        manager.goto(path)
        wait_for_view(manager, charts=charts)
        saves = manager.evaluate(
            """() => [...document.querySelectorAll("[data-chart]")].map(el => {
                 const toolbox = echarts.getInstanceByDom(el).getOption().toolbox;
                 return Boolean(toolbox && toolbox[0] && toolbox[0].feature.saveAsImage);
               })"""
        )
        assert saves == [True] * charts, (path, saves)
    manager.emulate_media(media="print")
    for selector in (".site-header", "#filter-form", "nav[aria-label='Dashboard views']"):
        expect(manager.locator(selector)).to_be_hidden()
    expect(manager.locator("#view")).to_be_visible()
    expect(manager.locator(".chip").first).to_be_visible()  # what the numbers are filtered by


def test_donut_groups_small_types_as_other(manager: Page) -> None:
    manager.goto("/dashboard/distribution")
    wait_for_view(manager, charts=2)
    names = manager.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector("[data-chart=typeDonut]"))
                 .getOption().series[0].data.map(d => d.name)"""
    )
    assert isinstance(names, list)
    assert str(names[-1]).startswith("Other (")
    expect(manager.locator("#types-table tbody tr")).to_have_count(14)


def test_histogram_text_is_inside_the_chart(manager: Page) -> None:
    """Axis titles and labels are drawn inside the chart's box (none clipped at an edge)."""
    for width in (1440, 390):
        manager.set_viewport_size({"width": width, "height": 900})
        manager.goto("/dashboard/resolution")
        wait_for_view(manager, charts=2)
        outside = manager.evaluate(
            """() => {
              const chart = echarts.getInstanceByDom(
                document.querySelector("[data-chart=histogram]"));
              const w = chart.getWidth(), h = chart.getHeight();
              return chart.getZr().storage.getDisplayList()
                .filter(e => e.style && typeof e.style.text === "string" && e.style.text)
                .map(e => {
                  const r = e.getBoundingRect().clone();
                  r.applyTransform(e.getComputedTransform());
                  return [e.style.text, Math.round(r.x), Math.round(r.y),
                          Math.round(r.x + r.width), Math.round(r.y + r.height)];
                })
                .filter(([, x0, y0, x1, y1]) => x0 < 0 || y0 < 0 || x1 > w || y1 > h);
            }"""
        )
        assert outside == [], (width, outside)
