"""Tickets over time with `compare=previous|year`: the comparison series is the same series
over the overview's comparison window (computed here by the calendar rule written
independently in test_compare), checked against plain SQL for random filter bars, every
grain, through the rollups and the raw tables; and the API and CSV carry it."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from support_analytics.analytics import overview, tickets_over_time
from support_analytics.filters import TicketFilters
from tests.analytics import oracle
from tests.analytics.oracle import Conn, FilterSpec
from tests.analytics.test_compare import (
    CLIENT_QUARTER,
    OTHER_ZONE,
    PLAN_QUARTER,
    UTC_ZONE,
    conn,
    expected_window,
    session,
    specs_with_dates,
)
from tests.analytics.test_grain import want_series
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory

__all__ = ["conn", "session"]  # module fixtures shared with test_compare


@settings(max_examples=examples(30), deadline=None, suppress_health_check=HEALTH)
@given(
    spec=specs_with_dates(),
    compare=st.sampled_from(overview.COMPARE_MODES),
    grain=st.sampled_from(tickets_over_time.GRAINS),
    zone=st.sampled_from((UTC_ZONE, OTHER_ZONE)),
)
@example(spec=CLIENT_QUARTER, compare="previous", grain="month", zone=UTC_ZONE)
@example(spec=PLAN_QUARTER, compare="year", grain="week", zone=UTC_ZONE)
def test_comparison_series_equals_plain_sql_over_the_comparison_window(
    *,
    session: Session,
    conn: Conn,
    spec: FilterSpec,
    compare: overview.Compare,
    grain: tickets_over_time.Grain,
    zone: ZoneInfo,
) -> None:
    filters = TicketFilters.from_query(spec.params())
    current = tickets_over_time.tickets_over_time(session, filters, zone, grain)
    got = tickets_over_time.with_comparison(session, current, filters, zone, compare)
    session.rollback()
    assert got.series == current.series
    assert got.compare == compare
    _, first_day, last_day = spec.date if spec.date is not None else ("", None, None)
    if first_day is None or last_day is None:
        assert got.comparison is None
        assert got.comparison_date is None
        return
    start, end = expected_window(
        date.fromisoformat(first_day), date.fromisoformat(last_day), compare
    )
    window = replace(spec, date=("between", start.isoformat(), end.isoformat()))
    assert got.comparison is not None
    dumped = [point.model_dump(mode="json") for point in got.comparison]
    oracle.assert_close(dumped, want_series(conn, window, zone.key, grain), grain)


def test_without_compare_nothing_is_added(session: Session) -> None:
    filters = TicketFilters.parse(date="between:2025-04-01,2025-06-30")
    current = tickets_over_time.tickets_over_time(session, filters, UTC_ZONE, "month")
    assert tickets_over_time.with_comparison(session, current, filters, UTC_ZONE, None) is current
    session.rollback()


def test_api_and_csv_carry_the_comparison(api_client_factory: ApiClientFactory) -> None:
    manager: TestClient = api_client_factory("manager")
    url = "/api/v1/analytics/tickets-over-time?date=between:2025-04-01,2025-06-30"
    plain = manager.get(url).json()
    assert plain["comparison"] is None
    assert plain["compare"] is None
    previous = manager.get(url + "&compare=previous").json()
    # A quarter compares with the quarter before, month by month.
    assert previous["comparison_date"] == "between:2025-01-01,2025-03-31"
    assert [p["period"] for p in previous["comparison"]] == ["2025-01", "2025-02", "2025-03"]
    assert previous["series"] == plain["series"]
    year = manager.get(url + "&compare=year&grain=week").json()
    assert year["comparison_date"] == "between:2024-04-01,2024-06-30"
    assert year["comparison"][0]["period"] == "2024-04-01"

    response = manager.get(url + "&compare=previous&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [(r["series"], r["position"], r["period"]) for r in rows] == [
        ("current", "1", "2025-04"),
        ("current", "2", "2025-05"),
        ("current", "3", "2025-06"),
        ("comparison", "1", "2025-01"),
        ("comparison", "2", "2025-02"),
        ("comparison", "3", "2025-03"),
    ]
    assert [int(r["created"]) for r in rows[3:]] == [p["created"] for p in previous["comparison"]]
    # Without a closed range there is nothing to compare with, and no error.
    open_range = manager.get(
        "/api/v1/analytics/tickets-over-time?date=on_or_after:2025-01-01&compare=year"
    ).json()
    assert open_range["compare"] == "year"
    assert open_range["comparison"] is None
    assert manager.get(url + "&compare=lastyear").status_code == 422


def test_page_offers_the_comparison_and_lists_it(api_client_factory: ApiClientFactory) -> None:
    manager: TestClient = api_client_factory("manager")
    base = "/dashboard/over-time?date=between:2025-04-01,2025-06-30"
    page = manager.get(base)
    assert page.status_code == 200
    assert 'data-compare-choice="previous"' in page.text
    assert 'data-col="comparison"' not in page.text
    compared = manager.get(base + "&compare=previous")
    assert compared.status_code == 200
    assert 'data-col="comparison"' in compared.text
    assert "Jan 2025" in compared.text
    assert "compare=previous" in compared.text  # the CSV link carries it
