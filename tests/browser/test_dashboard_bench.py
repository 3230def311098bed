"""Opt-in measurement on a large database: filter change -> every chart painted, in Chromium.

    SUPPORT_ANALYTICS_BROWSER_BENCH_DATABASE_URL=postgresql://... uv run pytest \\
        tests/browser/test_dashboard_bench.py -s

The database must be migrated and loaded (e.g. `db generate --tickets 1000000`). The test adds
one manager account (`browser-bench@tests.example`) if it is missing; nothing else is written.
Numbers are printed and saved to `.tmp/browser-timings.json`; nothing is asserted about them.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from support_analytics.auth import service
from support_analytics.db.engine import connect, normalise_url
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction
from tests.browser.conftest import VIEWPORT, LiveServer, start_server
from tests.browser.dashboard_helpers import TIMINGS, measure
from tests.fixtures.auth import PASSWORD, create_user

pytestmark = pytest.mark.browser

BENCH_URL = os.environ.get("SUPPORT_ANALYTICS_BROWSER_BENCH_DATABASE_URL")
EMAIL = "browser-bench@tests.example"


@pytest.fixture(scope="module")
def bench_server() -> Iterator[LiveServer]:
    if not BENCH_URL:
        pytest.skip("set SUPPORT_ANALYTICS_BROWSER_BENCH_DATABASE_URL to measure a large database")
    url = normalise_url(BENCH_URL)
    database = connect(url, pool_size=1)
    try:
        with owner_transaction(database) as session:
            exists = service.find_user_by_email(session, EMAIL) is not None
        if not exists:
            create_user(database, Role.MANAGER, email=EMAIL, team_member_id=1)
    finally:
        database.engine.dispose()
    # Measured as served: with the statements prepared at start-up.
    yield from start_server(url, env={"SUPPORT_ANALYTICS_PREPARE_STATEMENTS": "true"})


@pytest.fixture
def bench_page(browser: Browser, bench_server: LiveServer) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        base_url=bench_server.base_url, viewport=VIEWPORT, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    response = page.request.post("/api/v1/auth/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status == 200, response.text()
    try:
        yield page
    finally:
        context.close()


def test_measure_filter_change_on_a_large_database(bench_page: Page) -> None:
    tickets = bench_page.request.get("/api/v1/analytics/overview").json()["total_tickets"]
    results: dict[str, dict[str, float]] = {}
    for name, path, charts in (
        ("over-time", "/dashboard/over-time", 1),
        ("distribution", "/dashboard/distribution", 2),
        ("resolution", "/dashboard/resolution", 2),
    ):
        timings = measure(bench_page, path, charts)
        results[name] = {
            "median_ms": round(statistics.median(timings), 1),
            "max_ms": round(max(timings), 1),
            "rounds": len(timings),
        }
    saved = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    saved[f"{tickets}_tickets"] = results
    TIMINGS.parent.mkdir(exist_ok=True)
    TIMINGS.write_text(json.dumps(saved, indent=2))
    print(f"filter change -> charts painted ({tickets:,} tickets):", json.dumps(results))
