"""Tickets over time by day, week and month (`grain=`): through the rollups (UTC, the zone they
were built in) and the raw tables (another zone), against plain SQL for random filter bars."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups, tickets_over_time
from support_analytics.filters import TicketFilters
from tests.analytics import oracle
from tests.analytics.oracle import Conn, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory

UTC_ZONE = ZoneInfo("UTC")
OTHER_ZONE = ZoneInfo("America/New_York")


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


def _start(day: date, grain: str) -> date:
    if grain == "month":
        return day.replace(day=1)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day


def _key(day: date, grain: str) -> str:
    return day.isoformat()[:7] if grain == "month" else day.isoformat()


def _next(day: date, grain: str) -> date:
    if grain == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=7 if grain == "week" else 1)


def want_series(conn: Conn, spec: FilterSpec, tz: str, grain: str) -> list[dict[str, object]]:
    """Per period, counted in Python from each ticket's local day (plain SQL selects them)."""
    counts: list[dict[str, int]] = []
    for column in ("t.created_at", "t.resolved_at"):
        params: list[object] = [tz]
        sql = f"""
            SELECT ({column} AT TIME ZONE %s)::date AS d, count(*)
            FROM tickets t
            WHERE {column} IS NOT NULL AND {oracle.where(spec, tz, params, date_column=column)}
            GROUP BY d"""
        per: dict[str, int] = {}
        for day, n in conn.execute(sql, params).fetchall():
            assert isinstance(day, date)
            key = _key(_start(day, grain), grain)
            per[key] = per.get(key, 0) + int(str(n))
        counts.append(per)
    created, resolved = counts
    seen = sorted({*created, *resolved})
    first_day = spec.date[1] if spec.date else None
    last_day = spec.date[2] if spec.date else None
    first = _start(date.fromisoformat(first_day), grain) if first_day else None
    last = _start(date.fromisoformat(last_day), grain) if last_day else None
    if first is None and seen:
        first = date.fromisoformat(seen[0] + ("-01" if grain == "month" else ""))
    if last is None and seen:
        last = date.fromisoformat(seen[-1] + ("-01" if grain == "month" else ""))
    first, last = first or last, last or first
    out: list[dict[str, object]] = []
    day = first
    while day is not None and last is not None and day <= last:
        key = _key(day, grain)
        out.append(
            {
                "period": key,
                "month": key[:7],
                "created": created.get(key, 0),
                "resolved": resolved.get(key, 0),
            }
        )
        day = _next(day, grain)
    return out


@settings(max_examples=examples(30), deadline=None, suppress_health_check=HEALTH)
@given(
    spec=filter_specs(),
    grain=st.sampled_from(tickets_over_time.GRAINS),
    zone=st.sampled_from((UTC_ZONE, OTHER_ZONE)),
)
def test_every_grain_equals_plain_sql(
    session: Session, conn: Conn, spec: FilterSpec, grain: tickets_over_time.Grain, zone: ZoneInfo
) -> None:
    assert rollups.usable(session, UTC_ZONE)  # UTC goes through the rollups
    got = tickets_over_time.tickets_over_time(
        session, TicketFilters.from_query(spec.params()), zone, grain
    ).model_dump(mode="json")
    session.rollback()
    assert got["grain"] == grain
    oracle.assert_close(got["series"], want_series(conn, spec, zone.key, grain), grain)


def test_api_takes_grain(api_client_factory: ApiClientFactory) -> None:
    manager: TestClient = api_client_factory("manager")
    url = "/api/v1/analytics/tickets-over-time?date=between:2025-03-01,2025-03-31"
    weeks = manager.get(url + "&grain=week").json()
    assert weeks["grain"] == "week"
    # March 2025 starts on a Saturday: its first week is keyed by Monday 24 February.
    assert [p["period"] for p in weeks["series"]][:2] == ["2025-02-24", "2025-03-03"]
    days = manager.get(url + "&grain=day").json()
    assert len(days["series"]) == 31
    month = manager.get(url).json()
    assert month["grain"] == "month"
    assert [p["month"] for p in month["series"]] == ["2025-03"]
    assert sum(p["created"] for p in days["series"]) == month["series"][0]["created"]
    assert sum(p["created"] for p in weeks["series"]) == month["series"][0]["created"]
    bad = manager.get(url + "&grain=hour")
    assert bad.status_code == 422
    assert "grain" in bad.text


def test_page_has_a_grain_selector_and_links_each_period(
    api_client_factory: ApiClientFactory,
) -> None:
    manager: TestClient = api_client_factory("manager")
    page = manager.get("/dashboard/over-time?date=between:2025-03-01,2025-03-31&grain=week")
    assert page.status_code == 200
    assert "Tickets created and resolved per week" in page.text
    assert 'data-period="2025-02-24"' in page.text
    assert "Week of 3 Mar 2025" in page.text
    assert 'data-grain-choice="day"' in page.text
    assert 'data-grain-choice="month"' in page.text
    # The first week is cut by the filter: its link selects only the filtered days.
    assert "date=between%3A2025-03-01%2C2025-03-02" in page.text
    assert manager.get("/dashboard/over-time?grain=year").status_code == 422
