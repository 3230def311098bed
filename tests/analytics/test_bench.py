"""`support-analytics bench` runs against the database it is pointed at, measures every
endpoint end to end over HTTP (or server side with --direct) beside its plain-SQL baseline,
and writes the JSON SPEC section 7 describes."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from support_analytics.analytics import baseline, bench
from support_analytics.auth import service
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import DateFilter
from support_analytics.tenancy.claims import Role
from tests.analytics.test_api import ENDPOINTS as API_ENDPOINTS
from tests.cli.helpers import run_cli

# The analytics endpoints plus the responsiveness pair and the SLA endpoints, which have
# their own API tests.
ENDPOINTS = set(API_ENDPOINTS) | {"responsiveness", "responsiveness/team"} | set(baseline.SLA)
PROBES = {"me", "healthz"}


def _bench_accounts(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM users WHERE email LIKE 'bench-%'")
        ).scalar_one()
    engine.dispose()
    return int(count)


def test_bench_over_http_by_default_writes_json(tmp_path: Path, fresh_database: str) -> None:
    out = tmp_path / "bench.json"
    result = run_cli(
        tmp_path,
        "bench",
        "--rounds",
        "2",
        "--warm-up",
        "1",
        "--json",
        str(out),
        DATABASE_URL=fresh_database,
    )
    assert result.returncode == 0, result.stderr
    assert "42,900 tickets" in result.stdout
    assert "rollups fresh" in result.stdout
    assert "end to end over HTTP" in result.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == ENDPOINTS | PROBES
    for name, numbers in report.items():
        assert {"p50_ms", "p95_ms", "baseline_p50_ms", "speedup"} <= set(numbers)
        assert 0 < numbers["p50_ms"] <= numbers["p95_ms"]
        assert (numbers["baseline_p50_ms"] is None) == (name in PROBES)
    # The temporary account it signed in with is gone again, with its sessions.
    assert _bench_accounts(fresh_database) == 0


def test_bench_direct_measures_the_functions(tmp_path: Path, fresh_database: str) -> None:
    out = tmp_path / "bench.json"
    result = run_cli(
        tmp_path,
        "bench",
        "--direct",
        "--rounds",
        "2",
        "--warm-up",
        "0",
        "--json",
        str(out),
        DATABASE_URL=fresh_database,
    )
    assert result.returncode == 0, result.stderr
    assert "server side" in result.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == ENDPOINTS
    for numbers in report.values():
        assert 0 < numbers["p50_ms"] <= numbers["p95_ms"]
        assert numbers["baseline_p50_ms"] is not None


def test_bench_without_baseline_as_a_given_user(tmp_path: Path, fresh_database: str) -> None:
    engine = create_engine(fresh_database)
    with Session(engine) as session:
        user = service.create_user(
            session, email="bench-given@tests.example", role=Role.AGENT, team_member_id=2
        )
        service.activate_with_password(session, user.id, "a-long-bench-password")
        session.commit()
    engine.dispose()
    out = tmp_path / "bench.json"
    result = run_cli(
        tmp_path,
        "bench",
        "--rounds",
        "1",
        "--warm-up",
        "0",
        "--no-baseline",
        "--email",
        "bench-given@tests.example",
        "--password",
        "a-long-bench-password",
        "--json",
        str(out),
        DATABASE_URL=fresh_database,
    )
    assert result.returncode == 0, result.stderr
    assert "bench-given@tests.example" in result.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == ENDPOINTS | PROBES
    for numbers in report.values():
        assert numbers["p50_ms"] > 0
        assert numbers["baseline_p50_ms"] is None
        assert numbers["speedup"] is None
    assert _bench_accounts(fresh_database) == 1  # a given account is left as it was


def test_bench_with_a_wrong_password_is_one_error_line(tmp_path: Path, fresh_database: str) -> None:
    result = run_cli(
        tmp_path,
        "bench",
        "--rounds",
        "1",
        "--email",
        "nobody@tests.example",
        "--password",
        "not-the-password",
        DATABASE_URL=fresh_database,
    )
    assert result.returncode == 1
    assert "signing in as nobody@tests.example failed: 401" in result.stderr
    assert "Traceback" not in result.stderr


def test_warm_up_bars_come_first_and_leave_the_measured_bars_as_they_were(
    fresh_database: str,
) -> None:
    engine = create_engine(fresh_database)
    requested: dict[int, list[str]] = {}
    progressed: dict[int, tuple[int, int]] = {}
    with Session(engine) as session:
        for warm_up in (0, 3):
            paths = requested.setdefault(warm_up, [])

            def answer(path: str, paths: list[str] = paths) -> float:
                paths.append(path)
                return 1.0

            def seen(done: int, total: int, warm_up: int = warm_up) -> None:
                progressed[warm_up] = (done, total)

            bench.run(
                session,
                ZoneInfo("UTC"),
                rounds=4,
                warm_up=warm_up,
                baseline=False,
                http=answer,
                probes={"me": "/api/v1/me"},
                endpoints=["overview"],
                progress=seen,
            )
    engine.dispose()
    assert len(requested[3]) == len(requested[0]) + 3 * 2
    assert requested[3][6:] == requested[0]  # the measured bars, in the same order
    assert set(requested[3][:6:2]).isdisjoint(requested[0][::2])  # bars of their own
    assert progressed == {0: (8, 8), 3: (14, 14)}


def test_analytics_url_is_the_api_address_with_the_filter_bar() -> None:
    assert bench.analytics_url("overview", TicketFilters()) == "/api/v1/analytics/overview"
    bar = TicketFilters(date=DateFilter.on(date(2025, 3, 14)))
    assert bench.analytics_url("priorities", bar) == (
        "/api/v1/analytics/priorities?date=on%3A2025-03-14"
    )


def test_baseline_answers_what_the_product_answers(fresh_database: str) -> None:
    """Same bars, same answers: the speed-up compares like with like. The plain SQL of the SLA
    endpoints and of the responsiveness cards' SLA block computes the per-ticket SLA rows from
    the raw tables: it answers the same with `ticket_sla` emptied (rolled back). It reads
    every ticket (~0.3 s a call here), so those endpoints take the first two bars;
    tests/sla/test_state.py checks its rows one by one."""
    sla_rows = {*baseline.SLA, "responsiveness"}
    engine = create_engine(fresh_database)
    with Session(engine) as session:
        dims = bench.dimensions(session, ZoneInfo("UTC"))
        rng = random.Random(5)
        for bar in range(6):
            filters = bench.random_filters(rng, dims)
            now = datetime.now(UTC)
            for name, readers in baseline.READERS.items():
                if name in sla_rows and bar >= 2:
                    continue
                got = readers.product(session, filters, ZoneInfo("UTC"), now).model_dump()
                if name in sla_rows:
                    session.execute(text("TRUNCATE ticket_sla"))
                want = readers.raw(session, filters, ZoneInfo("UTC"), now)
                if name == "overview":  # the baseline returns the current cards only
                    got.pop("previous")
                    got.pop("previous_date")
                    got.pop("compare")
                assert _rounded(got) == _rounded(want.model_dump()), (name, filters)
                session.rollback()
    engine.dispose()


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def test_percentile_is_percentile_cont() -> None:
    assert bench.percentile([4.0], 0.95) == 4.0
    assert bench.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert bench.percentile([10.0, 0.0, 5.0], 0.95) == 9.5
