"""FRT distribution and FRT over time equal plain SQL over the raw tables for random filter
bars (rollups and facts paths), the bins' thresholds are the migration's, and the endpoints
answer JSON, CSV, 401/403."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy.orm import Session

from support_analytics.analytics import response_rollups
from support_analytics.analytics import responsiveness_charts as charts
from support_analytics.analytics.schemas import Responsiveness, ResponsivenessTeam
from support_analytics.config import Settings
from support_analytics.filters import TicketFilters
from support_analytics.web.app import create_app
from tests.analytics import oracle
from tests.analytics.edge_fixtures import edge_fixtures
from tests.analytics.oracle import Conn, FilterSpec
from tests.analytics.strategies import filter_specs
from tests.analytics.test_responsiveness import (
    MORE_EDGES,
    OTHER_ZONE,
    SMALL_TICKETS,
    UTC_ZONE,
    _oracle_facts,
    client_bar,
)
from tests.examples import HEALTH, examples
from tests.fixtures.auth import ApiClientFactory

# The responsiveness tests' database: generated tickets (nearly every FRT distinct) with the
# edge cases; the endpoints' test below reads the reference data.
database, session, conn = edge_fixtures(MORE_EDGES, generated=SMALL_TICKETS)


def oracle_histogram(conn: Conn, spec: FilterSpec, tz: str) -> list[int]:
    params: list[object] = []
    edges = ", ".join(str(e) for e in charts.BAR_EDGES)
    rows = conn.execute(
        f"""
        SELECT width_bucket(f.frt, ARRAY[{edges}]::float8[]), count(*)
        FROM ({_oracle_facts(spec, tz, params)}) f WHERE f.frt IS NOT NULL GROUP BY 1
        """.encode(),
        params,
    ).fetchall()
    counts = [0] * len(charts.BAR_EDGES)
    for bar, n in rows:
        counts[int(str(bar)) - 1] = int(str(n))
    return counts


def oracle_over_time(conn: Conn, spec: FilterSpec, tz: str, grain: str) -> list[object]:
    params: list[object] = []
    rows = conn.execute(
        f"""
        SELECT date_trunc('{grain}', t.created_at AT TIME ZONE '{tz}')::date AS period,
               count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.frt),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY f.frt)
        FROM ({_oracle_facts(spec, tz, params)}) f JOIN tickets t ON t.id = f.id
        WHERE f.frt IS NOT NULL GROUP BY 1 ORDER BY 1
        """.encode(),
        params,
    ).fetchall()
    out: list[object] = []
    for period, n, median, p90 in rows:
        assert isinstance(period, date)
        out.append(
            {
                "period": period.strftime("%Y-%m") if grain == "month" else period.isoformat(),
                "count": n,
                "median_hours": float(str(median)),
                "p90_hours": float(str(p90)),
            }
        )
    return out


def test_bins_are_the_migrations(conn: Conn) -> None:
    """Every bar edge is a bin edge and the Python thresholds number the bins as SQL does."""
    edges = charts.thresholds()
    assert set(charts.BAR_EDGES) <= set(edges)
    probes = [*edges, *(e + 1e-9 for e in edges), *(e - 1e-9 for e in edges[1:])]
    rows = conn.execute(
        "SELECT h, analytics_frt_bin(h) FROM unnest(%s::float8[]) h", (probes,)
    ).fetchall()
    for hours, bin_ in rows:
        value = float(str(hours))
        assert int(str(bin_)) == sum(1 for e in edges if e <= value), value


@settings(max_examples=examples(120), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs(), rollups=st.booleans())
def test_histogram_equals_plain_sql(
    session: Session, conn: Conn, spec: FilterSpec, rollups: bool
) -> None:
    filters = TicketFilters.from_query(spec.params())
    got = charts.histogram(session, filters, UTC_ZONE, rollups=rollups)
    assert [bar.count for bar in got.bars] == oracle_histogram(conn, spec, "UTC")
    session.rollback()


@settings(max_examples=examples(80), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs(), plan=st.booleans())
def test_histogram_under_client_and_plan_filters_reads_the_rollups(
    session: Session, conn: Conn, spec: FilterSpec, plan: bool
) -> None:
    """Client and plan filters without an assignee or type condition: the rows grouped by
    client answer the distribution, exactly."""
    spec = client_bar(spec, plan)
    filters = TicketFilters.from_query(spec.params())
    assert response_rollups.usable(session, filters, UTC_ZONE)
    got = charts.histogram(session, filters, UTC_ZONE)
    assert [bar.count for bar in got.bars] == oracle_histogram(conn, spec, "UTC")
    session.rollback()


@settings(max_examples=examples(60), deadline=None, suppress_health_check=HEALTH)
@given(spec=filter_specs(), grain=st.sampled_from(("day", "week", "month")))
def test_over_time_equals_plain_sql(
    session: Session, conn: Conn, spec: FilterSpec, grain: charts.Grain
) -> None:
    filters = TicketFilters.from_query(spec.params())
    for tz in (UTC_ZONE, OTHER_ZONE):
        got = charts.over_time(session, filters, tz, grain).model_dump(mode="json")["series"]
        oracle.assert_close(got, oracle_over_time(conn, spec, tz.key, grain), grain)
    session.rollback()


def test_endpoints(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    bars = manager.get("/api/v1/analytics/responsiveness/histogram").json()["bars"]
    cards = manager.get("/api/v1/analytics/responsiveness").json()
    assert sum(bar["count"] for bar in bars) == cards["first_response"]["count"] == 42_900
    series = manager.get(
        "/api/v1/analytics/responsiveness/over-time", params={"grain": "week"}
    ).json()
    assert series["grain"] == "week"
    assert sum(p["count"] for p in series["series"]) == 42_900
    as_csv = manager.get("/api/v1/analytics/responsiveness/histogram", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[0].lstrip("\ufeff") == "label,lower_hours,upper_hours,count"
    bad = manager.get("/api/v1/analytics/responsiveness/over-time", params={"grain": "year"})
    assert bad.status_code == 422
    assert "grain" in bad.text
    for path in ("histogram", "over-time"):
        url = f"/api/v1/analytics/responsiveness/{path}"
        assert api_client_factory("anonymous").get(url).status_code == 401
        assert api_client_factory("client_a").get(url).status_code == 403


def test_openapi_examples_are_valid_responses() -> None:
    """Every responsiveness endpoint documents an example that its own model accepts."""
    app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    schema = app.openapi()
    models: dict[str, type[BaseModel]] = {
        "/api/v1/analytics/responsiveness": Responsiveness,
        "/api/v1/analytics/responsiveness/team": ResponsivenessTeam,
        "/api/v1/analytics/responsiveness/histogram": charts.FrtHistogram,
        "/api/v1/analytics/responsiveness/over-time": charts.FrtOverTime,
    }
    for path, model in models.items():
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        example = content["application/json"]["examples"]["shape"]["value"]
        model.model_validate(example)
        assert "text/csv" in content
