"""Every page, as the role that uses it, at phone (390 px) and desktop (1440 px) width: nothing
scrolls sideways on a phone, ticket titles stay readable, axe-core finds no serious or
critical violation, every focusable control shows keyboard focus; the screenshots in
docs/screenshots/ (`<page>-1440.png`, `<page>-390.png`) are taken here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from tests.browser.conftest import REPO_ROOT, LiveServer, Login, screenshot
from tests.browser.dashboard_helpers import wait_for_view
from tests.fixtures.auth import Persona, TestUser

pytestmark = pytest.mark.browser

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1440, "height": 900}


@dataclass(frozen=True)
class Screen:
    name: str
    persona: Persona
    path: str  # "{ticket}" is replaced by a ticket the persona may open
    charts: int = -1  # -1: not a dashboard view


SCREENS = (
    Screen("login", "anonymous", "/login"),
    Screen("dashboard-overview", "manager", "/dashboard", 0),
    Screen("dashboard-over-time", "manager", "/dashboard/over-time", 1),
    Screen("dashboard-team", "manager", "/dashboard/team", 0),
    Screen("dashboard-distribution", "manager", "/dashboard/distribution", 2),
    Screen("dashboard-clients", "manager", "/dashboard/clients", 0),
    Screen("dashboard-resolution", "manager", "/dashboard/resolution", 2),
    Screen("dashboard-member", "manager", "/dashboard/team/1", 0),
    Screen("dashboard-client", "manager", "/dashboard/clients/1", 0),
    Screen("dashboard-responsiveness", "manager", "/dashboard/responsiveness", 2),
    Screen("dashboard-sla", "manager", "/dashboard/sla", 1),
    Screen("inbox-tickets", "agent", "/tickets"),
    Screen("inbox-ticket", "agent", "/tickets/{ticket}"),
    Screen("admin-users", "admin", "/admin"),
    Screen("admin-jobs", "admin", "/admin/jobs"),
    Screen("admin-sla", "admin", "/admin/sla"),
    Screen("alerts", "manager", "/alerts"),
    Screen("account-password", "agent", "/account/password"),
    Screen("portal-tickets", "client_a", "/portal"),
    Screen("portal-new-ticket", "client_a", "/portal/tickets/new"),
    Screen("portal-ticket", "client_a", "/tickets/{ticket}"),
    Screen("not-found", "manager", "/no-such-page"),
)


OpenScreen = Callable[[Screen, ViewportSize], Page]


@pytest.fixture(scope="module")
def tickets(
    live_server: LiveServer, browser: Browser, browser_users: dict[Persona, TestUser]
) -> dict[Persona, int]:
    """A ticket id each ticket-reading persona may open (the client's own, with messages)."""
    found: dict[Persona, int] = {}
    for persona in ("agent", "client_a"):
        context = browser.new_context(base_url=live_server.base_url)
        try:
            user = browser_users[persona]
            context.request.post(
                "/api/v1/auth/login", data={"email": user.email, "password": user.password}
            )
            rows = json.loads(context.request.get("/api/v1/tickets?page_size=1").text())["rows"]
            assert isinstance(rows, list)
            assert isinstance(rows[0], dict)
            found[persona] = int(str(rows[0]["id"]))
        finally:
            context.close()
    return found


@pytest.fixture
def open_screen(
    browser: Browser, live_server: LiveServer, login: Login, tickets: dict[Persona, int]
) -> Iterator[OpenScreen]:
    contexts: list[BrowserContext] = []

    def open_at(screen: Screen, viewport: ViewportSize) -> Page:
        # bypass_csp: axe is injected as an inline script, which the app's CSP refuses.
        context = browser.new_context(
            base_url=live_server.base_url,
            viewport=viewport,
            locale="en-US",
            timezone_id="UTC",
            bypass_csp=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if screen.persona != "anonymous":
            login(page, screen.persona)
        path = screen.path.replace("{ticket}", str(tickets.get(screen.persona, 0)))
        if screen.persona == "client_a":
            path = path.replace("/tickets/", "/portal/tickets/")
        page.goto(path)
        if screen.charts >= 0:
            wait_for_view(page, charts=screen.charts)
        if screen.name == "dashboard-resolution":
            page.wait_for_selector("#overdue-table, #resolution-results [data-empty]")
        page.wait_for_load_state("load")
        return page

    yield open_at
    for context in contexts:
        context.close()


def serious_axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          if (!result.passes.length) return ["axe checked nothing"];
          return result.violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + " (" + v.impact + "): " + v.help + " -> " +
                 v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    assert isinstance(found, list)
    return [str(item) for item in found]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_phone_width_never_scrolls_sideways(screen: Screen, open_screen: OpenScreen) -> None:
    page = open_screen(screen, PHONE)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]"
    )
    assert isinstance(widths, list)
    assert max(widths[0], widths[1]) <= widths[2], f"{screen.path}: {widths}"
    # Ticket titles keep a readable column (not broken into 4-letter fragments).
    narrow = page.locator(".tickets-table tbody th a").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().width).filter(w => w < 120)"
    )
    assert narrow == [], f"{screen.path}: title cells {narrow} px wide"
    screenshot(page, f"{screen.name}-390", full_page=True)


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_axe_finds_no_serious_violation(screen: Screen, open_screen: OpenScreen) -> None:
    page = open_screen(screen, DESKTOP)
    screenshot(page, f"{screen.name}-1440")
    assert serious_axe_violations(page) == []


# A visible focus indicator: an outline of at least 2 px, or a ring drawn as a box-shadow with a
# spread of at least 2 px, on the control itself or on the box a tom-select draws around it.
FOCUS_VISIBLE = """el => {
  const wrapper = el.closest(".ts-wrapper");
  const boxes = wrapper ? [el, wrapper.querySelector(".ts-control")] : [el];
  return boxes.some(box => {
    const s = getComputedStyle(box);
    if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) return true;
    return /(^|,)\\s*(rgba?\\([^)]*\\)\\s*)?0px 0px 0px ([2-9]|\\d\\d)px/.test(s.boxShadow);
  });
}"""


@pytest.mark.parametrize("path", ["/dashboard/team", "/dashboard/clients", "/tickets"])
def test_every_focusable_control_shows_keyboard_focus(path: str, page: Page, login: Login) -> None:
    login(page, "manager")
    page.goto(path)
    page.wait_for_selector("#view")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    unseen: list[str] = []
    seen: set[str] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        probe = page.evaluate(
            f"""() => {{
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              return [el.outerHTML.slice(0, 120), ({FOCUS_VISIBLE})(el)];
            }}"""
        )
        if not isinstance(probe, list):
            continue
        html, visible = str(probe[0]), bool(probe[1])
        if html in seen:
            break
        seen.add(html)
        if not visible:
            unseen.append(html)
    assert len(seen) > 10
    assert unseen == []


# One date format on every page (support_analytics.dates): "14 Mar 2025", "Mar 2025",
# "14 Mar 2025 09:30 UTC". ISO days stay in the address, date inputs and CSV, never in text.
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
OTHER_DATE_FORMS = (
    r"\b\d{4}-\d{2}-\d{2}\b",
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    rf"\b(?:{MONTHS})[a-z]* \d{{1,2}}, \d{{4}}\b",
    r"\b\d{1,2}\.\d{1,2}\.\d{4}\b",
)
ONE_DATE_FORM = rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b|\b(?:{MONTHS}) \d{{4}}\b"
SHOWN_TEXT = """() => {
  const texts = [document.body.innerText];
  if (typeof echarts !== "undefined") {
    document.querySelectorAll("[data-chart]").forEach(el => {
      const chart = echarts.getInstanceByDom(el);
      if (!chart) return;
      const option = chart.getOption();
      (option.xAxis || []).forEach(axis => texts.push(...(axis.data || []).map(String)));
    });
  }
  return texts.join("\\n");
}"""
DATED = (
    *SCREENS,
    Screen(
        "over-time-compared",
        "manager",
        "/dashboard/over-time?date=between:2025-03-01,2025-03-31&grain=week&compare=previous",
        1,
    ),
    Screen("overview-compared", "manager", "/dashboard?date=last:90d", 0),
    Screen("inbox-dated", "agent", "/tickets?date=between:2025-04-01,2025-06-30"),
)
# Pages that show no date at all (everything else must show at least one).
UNDATED = {
    "login",
    "account-password",
    "portal-new-ticket",
    "not-found",
    "dashboard-team",
    "admin-jobs",
    "admin-sla",  # a fresh calendar has no holidays and nothing was recomputed yet
    "alerts",  # no rule has been evaluated yet
}


@pytest.mark.parametrize("screen", DATED, ids=[s.name for s in DATED])
def test_every_date_reads_one_way(screen: Screen, open_screen: OpenScreen) -> None:
    page = open_screen(screen, DESKTOP)
    text = page.evaluate(SHOWN_TEXT)
    assert isinstance(text, str)
    others = [m.group(0) for form in OTHER_DATE_FORMS for m in re.finditer(form, text)]
    assert others == [], f"{screen.path}: dates not in the one format: {others}"
    shown = re.findall(ONE_DATE_FORM, text)
    if screen.name not in UNDATED:
        assert shown, f"{screen.path}: no date found to check"
