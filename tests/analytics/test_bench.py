"""`support-analytics bench` runs against the database it is pointed at, measures every
endpoint beside its plain-SQL baseline, and writes the JSON SPEC section 7 describes."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from support_analytics.analytics import baseline, bench
from tests.analytics.test_api import ENDPOINTS as API_ENDPOINTS
from tests.cli.helpers import run_cli

ENDPOINTS = set(API_ENDPOINTS)


def test_bench_command_writes_json(tmp_path: Path, fresh_database: str) -> None:
    out = tmp_path / "bench.json"
    result = run_cli(
        tmp_path, "bench", "--rounds", "2", "--json", str(out), DATABASE_URL=fresh_database
    )
    assert result.returncode == 0, result.stderr
    assert "42,900 tickets" in result.stdout
    assert "rollups fresh" in result.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == ENDPOINTS
    for numbers in report.values():
        assert {"p50_ms", "p95_ms", "baseline_p50_ms", "speedup"} <= set(numbers)
        assert 0 < numbers["p50_ms"] <= numbers["p95_ms"]


def test_bench_without_baseline(tmp_path: Path, fresh_database: str) -> None:
    out = tmp_path / "bench.json"
    result = run_cli(
        tmp_path,
        "bench",
        "--rounds",
        "1",
        "--no-baseline",
        "--json",
        str(out),
        DATABASE_URL=fresh_database,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) == ENDPOINTS
    for numbers in report.values():
        assert numbers["p50_ms"] > 0
        assert numbers["baseline_p50_ms"] is None
        assert numbers["speedup"] is None


def test_baseline_answers_what_the_product_answers(fresh_database: str) -> None:
    """Same bars, same answers: the speed-up compares like with like."""
    engine = create_engine(fresh_database)
    with Session(engine) as session:
        dims = bench.dimensions(session, ZoneInfo("UTC"))
        rng = random.Random(5)
        for _ in range(6):
            filters = bench.random_filters(rng, dims)
            now = datetime.now(UTC)
            for name, widget in baseline.PRODUCT.items():
                got = widget(session, filters, ZoneInfo("UTC"), now).model_dump()
                want = baseline.BASELINE[name](session, filters, ZoneInfo("UTC"), now)
                if name == "overview":  # the baseline returns the current cards only
                    got.pop("previous")
                    got.pop("previous_date")
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
