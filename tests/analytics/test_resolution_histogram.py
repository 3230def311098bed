"""The resolution histogram (GET /api/v1/analytics/resolution-histogram and the resolution
view) equals plain SQL for random filter bars, from every source: the hours histogram
rollup, the per-ticket resolution rollup, and the raw tables (another zone)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.analytics import resolution_histogram as histogram
from support_analytics.analytics import rollups
from support_analytics.analytics.schemas import ResolutionHistogram
from support_analytics.filters import TicketFilters
from tests.analytics import oracle
from tests.analytics.oracle import Conn, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory

UTC = ZoneInfo("UTC")
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


def counts(result: ResolutionHistogram) -> list[int]:
    return [bar.count for bar in result.bars]


def check(session: Session, conn: Conn, spec: FilterSpec) -> None:
    filters = TicketFilters.from_query(spec.params())
    want = oracle.resolution_histogram(conn, spec, "UTC")
    assert rollups.usable(session, UTC)
    assert counts(histogram.resolution_histogram(session, filters, UTC)) == want
    if filters.by_client:
        # The resolution rows carry no client: they refuse the filter (the product reads the
        # raw tables for it, checked just above) rather than ignore it.
        with pytest.raises(ValueError, match="client column"):
            histogram.from_resolution_rows(session, filters)
    else:
        assert counts(histogram.from_resolution_rows(session, filters)) == want
    assert counts(histogram.from_tickets(session, filters, UTC)) == want
    other = oracle.resolution_histogram(conn, spec, OTHER_ZONE.key)
    assert counts(histogram.resolution_histogram(session, filters, OTHER_ZONE)) == other
    session.rollback()


@settings(max_examples=examples(60), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs())
def test_every_source_equals_plain_sql(session: Session, conn: Conn, spec: FilterSpec) -> None:
    check(session, conn, spec)


@pytest.mark.parametrize(
    "spec",
    [
        FilterSpec(),
        FilterSpec(team_member=("is", (4,)), ticket_type=("none_of", (3,))),  # no hist slice
        FilterSpec(ticket_type=("is", (15,))),  # matches nothing: eight empty bars
        FilterSpec(team_member=("is", (None,)), date=("on", "2025-05-14", "2025-05-14")),
    ],
    ids=lambda s: s.query_string() or "none",
)
def test_edge_cases(session: Session, conn: Conn, spec: FilterSpec) -> None:
    check(session, conn, spec)


def test_bars_and_labels() -> None:
    result = histogram.bars([(-1, 2), (0, 1), (16, 5), (47, 3), (400, 1)])
    got = counts(result)
    assert got[0] == 3  # negative durations and the first bin
    assert got[2] == 5  # bin 16 is hours 1 (2 ** 1 - 1): bar 2 starts there
    assert got[5] == 3
    assert got[-1] == 1  # far beyond: the open-ended last bar
    assert len(got) == histogram.MAX_BARS
    assert [bar.label for bar in result.bars[:4]] == ["0-0.4 h", "0.4-1 h", "1-1.8 h", "1.8-3 h"]
    assert (result.bars[2].lower_hours, result.bars[2].upper_hours) == (1.0, 1.828)
    assert result.bars[-1].label == "1,023+ h"
    assert result.bars[-1].upper_hours is None
    assert len(histogram.bars([(20, 1)]).bars) == histogram.MIN_BARS


def test_api_and_page_agree(api_client_factory: ApiClientFactory, fresh_database: str) -> None:
    manager = api_client_factory("manager")
    spec = FilterSpec(date=("between", "2025-04-01", "2025-06-30"), priority=("is", ("high",)))
    query = spec.query_string()
    response = manager.get(f"/api/v1/analytics/resolution-histogram?{query}")
    assert response.status_code == 200
    bars = response.json()["bars"]
    with oracle.connect(fresh_database) as conn:
        assert [bar["count"] for bar in bars] == oracle.resolution_histogram(conn, spec, "UTC")
    exported = manager.get(f"/api/v1/analytics/resolution-histogram?{query}&format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(row["count"]) for row in rows] == [bar["count"] for bar in bars]
    assert list(rows[0]) == ["label", "lower_hours", "upper_hours", "count"]
    page = manager.get(f"/dashboard/resolution?{query}")
    assert page.status_code == 200
    for bar in bars:  # the page's table shows the API's bars
        assert f'<th scope="row">{bar["label"]}</th>' in page.text
