"""/api/v1/docs works offline (Swagger UI from the vendored files, nothing from another host)
and the pages run under the strict script CSP with no violations."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Route, expect

from tests.browser.conftest import Login

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _block_other_hosts(page: Page) -> list[str]:
    """Abort every request to a non-loopback host and record it."""
    outside: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", handle)
    return outside


def _csp_violations(page: Page) -> list[str]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


def test_api_docs_render_the_operations_offline(page: Page) -> None:
    outside = _block_other_hosts(page)
    violations = _csp_violations(page)
    response = page.goto("/api/v1/docs")
    assert response is not None
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("support-analytics")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    paths = operations.all_text_contents()
    assert any("/api/v1/analytics/overview" in p for p in paths), paths
    assert any("/api/v1/tickets" in p for p in paths), paths
    assert outside == []
    assert violations == []


def test_pages_work_under_the_script_csp(page: Page, login: Login) -> None:
    violations = _csp_violations(page)
    outside = _block_other_hosts(page)
    login(page, "manager")
    page.goto("/dashboard/over-time")
    # Charts are drawn by app.js from the nonce-carrying JSON blocks.
    expect(page.locator("[data-chart] canvas").first).to_be_visible()
    page.goto("/tickets/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert violations == []
    assert outside == []


def test_portal_status_select_submits_without_an_inline_handler(page: Page, login: Login) -> None:
    violations = _csp_violations(page)
    login(page, "client_a")
    page.goto("/portal/")
    with page.expect_navigation():
        page.select_option("select#status", index=1)
    assert "status=" in page.url
    assert violations == []


HOSTILE = '<img src=x onerror="window.saPwned=1">'
CALL_FORMATTER = """([selector, name]) => {
    const chart = echarts.getInstanceByDom(document.querySelector(selector));
    const formatter = chart.getOption().tooltip[0].formatter;
    const box = [1, 2, 3, 4, 5];
    return formatter({name: name, value: [0, ...box], data: {value: box, pct: 1}});
}"""


def test_chart_tooltips_escape_names(page: Page, login: Login) -> None:
    login(page, "manager")
    for path, selector in (
        ("/dashboard/distribution", "[data-chart=typeDonut]"),
        ("/dashboard/resolution", "[data-chart=boxplot]"),
    ):
        page.goto(path)
        expect(page.locator(f"{selector} canvas")).to_be_visible()
        html = page.evaluate(CALL_FORMATTER, [selector, HOSTILE])
        assert "<img" not in html, html
        assert "&lt;img" in html, html
