"""Overview comparison (`compare=previous|year`): the window each mode picks, checked against
a calendar rule written here independently, and the compared cards against plain SQL."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.analytics import overview
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import parse_date
from tests.analytics import oracle
from tests.analytics.oracle import Conn, DateSpec, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory

UTC_ZONE = ZoneInfo("UTC")
OTHER_ZONE = ZoneInfo("America/New_York")


def _last_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def expected_window(first: date, last: date, compare: str) -> tuple[date, date]:
    """The comparison window by the rule in docs/dashboard.md, written without the product's
    helpers: whole calendar months compare with whole months."""
    whole = first.day == 1 and last == _last_of_month(last.year, last.month)
    if compare == "year":
        if whole:
            return first.replace(year=first.year - 1), _last_of_month(last.year - 1, last.month)
        return _year_before(first), _year_before(last)
    if whole:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        index = first.year * 12 + first.month - 1 - months
        return date(index // 12, index % 12 + 1, 1), first - timedelta(days=1)
    days = (last - first).days + 1
    return first - timedelta(days=days), first - timedelta(days=1)


@pytest.mark.parametrize(
    ("date_param", "compare", "window"),
    [
        # A quarter with the quarter before, not the 91 days ending on 03-31.
        ("between:2025-04-01,2025-06-30", "previous", "between:2025-01-01,2025-03-31"),
        ("between:2025-01-01,2025-03-31", "previous", "between:2024-10-01,2024-12-31"),
        # A month with the month before (31 days vs 30), February in a leap year.
        ("between:2025-04-01,2025-04-30", "previous", "between:2025-03-01,2025-03-31"),
        ("between:2024-03-01,2024-03-31", "previous", "between:2024-02-01,2024-02-29"),
        ("between:2024-02-01,2024-02-29", "previous", "between:2024-01-01,2024-01-31"),
        ("between:2025-01-01,2025-12-31", "previous", "between:2024-01-01,2024-12-31"),
        # Not whole months: the equally long window just before.
        ("between:2025-04-02,2025-05-01", "previous", "between:2025-03-03,2025-04-01"),
        ("on:2025-03-01", "previous", "on:2025-02-28"),
        # A year earlier: the same days; 29 February becomes the 28th; months stay whole.
        ("on:2024-02-29", "year", "on:2023-02-28"),
        ("between:2024-02-29,2024-03-10", "year", "between:2023-02-28,2023-03-10"),
        ("between:2025-02-01,2025-02-28", "year", "between:2024-02-01,2024-02-29"),
        ("between:2024-02-01,2024-02-29", "year", "between:2023-02-01,2023-02-28"),
        ("between:2025-04-01,2025-06-30", "year", "between:2024-04-01,2024-06-30"),
    ],
)
def test_calendar_alignment(date_param: str, compare: overview.Compare, window: str) -> None:
    filters = TicketFilters.parse(date=date_param)
    compared = overview.compared_filters(filters, compare)
    assert compared is not None
    assert compared.date is not None
    assert compared.date.format() == window


@pytest.mark.parametrize(
    ("relative", "window"),
    [
        ("this:quarter", "between:2025-01-01,2025-03-31"),
        ("previous:quarter", "between:2024-10-01,2024-12-31"),
        ("this:month", "between:2025-04-01,2025-04-30"),
        ("previous:month", "between:2025-03-01,2025-03-31"),
        ("this:year", "between:2024-01-01,2024-12-31"),
        ("previous:year", "between:2023-01-01,2023-12-31"),
    ],
)
def test_relative_periods_compare_with_the_calendar_period_before(
    relative: str, window: str
) -> None:
    filters = TicketFilters(date=parse_date(relative, today=date(2025, 5, 20)))
    compared = filters.previous_period()
    assert compared is not None
    assert compared.date is not None
    assert compared.date.format() == window


def test_open_ranges_compare_with_nothing() -> None:
    for compare in overview.COMPARE_MODES:
        assert overview.compared_filters(TicketFilters(), compare) is None
        open_range = TicketFilters.parse(date="on_or_after:2025-03-01")
        assert overview.compared_filters(open_range, compare) is None


@pytest.fixture(scope="module")
def session(analytics_database: str) -> Iterator[Session]:
    engine = create_engine(analytics_database, connect_args={"options": "-c timezone=UTC"})
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="module")
def conn(analytics_database: str) -> Iterator[Conn]:
    with oracle.connect(analytics_database) as conn:
        yield conn


@st.composite
def calendar_dates(draw: st.DrawFn) -> DateSpec:
    """Whole months, quarters and years (random filter dates rarely are)."""
    year = draw(st.integers(2024, 2025))
    months = draw(st.sampled_from((1, 2, 3, 12)))
    month = 1 if months == 12 else draw(st.integers(1, 12 - months + 1))
    last = _last_of_month(year, month + months - 1)
    return ("between", date(year, month, 1).isoformat(), last.isoformat())


# The comparison window keeps every filter but the date (a window that dropped the client or
# plan filter once passed whenever the random bar had neither).
CLIENT_QUARTER = FilterSpec(("between", "2025-04-01", "2025-06-30"), client=("any_of", (2, 5, 9)))
PLAN_QUARTER = FilterSpec(("between", "2025-04-01", "2025-06-30"), plan=("is_not", ("starter",)))


@st.composite
def specs_with_dates(draw: st.DrawFn) -> FilterSpec:
    spec = draw(filter_specs())
    if draw(st.booleans()):
        return replace(spec, date=draw(calendar_dates()))
    return spec


@settings(max_examples=examples(25), deadline=None, suppress_health_check=HEALTH)
@given(
    spec=specs_with_dates(),
    compare=st.sampled_from(overview.COMPARE_MODES),
    zone=st.sampled_from((UTC_ZONE, OTHER_ZONE)),
)
@example(spec=CLIENT_QUARTER, compare="previous", zone=UTC_ZONE)
@example(spec=PLAN_QUARTER, compare="year", zone=UTC_ZONE)
def test_compared_cards_equal_plain_sql(
    session: Session, conn: Conn, spec: FilterSpec, compare: overview.Compare, zone: ZoneInfo
) -> None:
    got = overview.overview(session, TicketFilters.from_query(spec.params()), zone, compare)
    session.rollback()
    assert got.compare == compare
    _, first_day, last_day = spec.date if spec.date is not None else ("", None, None)
    if first_day is None or last_day is None:
        assert got.previous is None
        assert got.previous_date is None
        return
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    start, end = expected_window(first, last, compare)
    window = replace(spec, date=("between", start.isoformat(), end.isoformat()))
    assert got.previous_date is not None
    assert parse_date(got.previous_date).start == start
    assert parse_date(got.previous_date).end == end
    assert got.previous is not None
    oracle.assert_close(
        got.previous.model_dump(mode="json"), oracle.overview_cards(conn, window, zone.key)
    )


def test_api_returns_the_comparison(
    api_client_factory: ApiClientFactory, fresh_database: str
) -> None:
    manager: TestClient = api_client_factory("manager")
    url = "/api/v1/analytics/overview?date=between:2025-04-01,2025-06-30"
    default = manager.get(url).json()
    assert default["compare"] == "previous"
    assert default["previous_date"] == "between:2025-01-01,2025-03-31"
    year = manager.get(url + "&compare=year").json()
    assert year["compare"] == "year"
    assert year["previous_date"] == "between:2024-04-01,2024-06-30"
    with oracle.connect(fresh_database) as conn:
        want = oracle.overview_cards(
            conn, FilterSpec(("between", "2024-04-01", "2024-06-30")), "UTC"
        )
    oracle.assert_close(year["previous"], want)
    bad = manager.get(url + "&compare=lastyear")
    assert bad.status_code == 422
    assert "compare" in bad.text


def test_page_says_which_period_is_compared(api_client_factory: ApiClientFactory) -> None:
    manager: TestClient = api_client_factory("manager")
    page = manager.get("/dashboard?date=between:2025-04-01,2025-06-30&compare=year")
    assert page.status_code == 200
    assert "same days one year earlier (1 Apr 2024 to 30 Jun 2024)" in page.text
    assert 'data-compare-mode="previous"' in page.text
    previous = manager.get("/dashboard?date=between:2025-04-01,2025-06-30")
    assert "period just before (1 Jan 2025 to 31 Mar 2025)" in previous.text
    assert 'data-compare-mode="year"' in previous.text
    undated = manager.get("/dashboard?compare=year")
    assert "to compare with another period" in undated.text
    assert manager.get("/dashboard?compare=month").status_code == 422
