"""Shared steps of the dashboard browser tests: API look-ups with the page's own session,
number formats as the pages print them, and waiting for htmx and ECharts to settle."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import psycopg
from playwright.sync_api import Locator, Page

from support_analytics.db.engine import libpq_url
from tests.browser.conftest import LiveServer

TIMINGS = Path(__file__).resolve().parents[2] / ".tmp" / "browser-timings.json"

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
JsonObject = dict[str, JsonValue]


def api_json(page: Page, path: str) -> JsonObject:
    """GET an API path with the page's cookies (the same user as the page)."""
    response = page.request.get(path)
    assert response.status == 200, f"{path}: {response.status} {response.text()}"
    data = json.loads(response.text())
    assert isinstance(data, dict)
    return data


def api_text(page: Page, path: str) -> str:
    response = page.request.get(path)
    assert response.status == 200, f"{path}: {response.status} {response.text()}"
    return response.text()


def _number(value: JsonValue) -> float | None:
    if value is None:
        return None
    assert isinstance(value, int | float | str), value
    return float(value)


def fmt_count(value: JsonValue) -> str:
    number = _number(value)
    return "—" if number is None else f"{round(number):,}"


def fmt_hours(value: JsonValue) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:,.1f}"


def fmt_one(value: JsonValue) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:.1f}"


def fmt_pct(value: JsonValue) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:,.1f}%"


def fmt_money(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def cell(row: Locator, column: str) -> str:
    return row.locator(f"[data-col='{column}']").inner_text().strip()


def wait_for_view(page: Page, *, charts: int = 0) -> None:
    """The view region is in place, htmx is idle and `charts` charts have been drawn."""
    page.wait_for_selector("#view [data-view]")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    if charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-chart-ready]').length >= {charts}"
        )


def _scalar(server: LiveServer, sql: str, value: str) -> int:
    with psycopg.connect(libpq_url(server.database_url)) as conn:
        row = conn.execute(sql.encode(), (value,)).fetchone()
    assert row is not None, value
    return int(row[0])


def member_id(server: LiveServer, username: str) -> int:
    return _scalar(server, "SELECT id FROM team_members WHERE username = %s", username)


def type_id(server: LiveServer, name: str) -> int:
    return _scalar(server, "SELECT id FROM ticket_types WHERE type_name = %s", name)


def measure(page: Page, path: str, charts: int, rounds: int = 6) -> list[float]:
    """Milliseconds from a filter change (through the priority multi-select) to every chart
    of the view painted, as app.js reports them in its `sa:painted` event."""
    page.goto(path)
    wait_for_view(page, charts=charts)
    values = [["urgent"], ["low", "high"]]
    timings: list[float] = []
    for index in range(rounds):
        page.evaluate(
            "() => { window.__painted = new Promise(r => document.body.addEventListener("
            "'sa:painted', e => r(e.detail), {once: true})); }"
        )
        page.evaluate(
            "v => document.querySelector('select[name=priority]').tomselect.setValue(v)",
            values[index % 2],
        )
        detail = page.evaluate("() => window.__painted")
        assert isinstance(detail, dict), detail
        assert detail["charts"] == charts, detail
        timings.append(float(detail["ms"]))
    return timings
