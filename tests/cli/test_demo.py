"""`demo`, the command `make run` runs: first run loads the reference data, a second run
reuses it; both print where to go and stop their database on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from support_analytics.auth import demo as demo_accounts
from support_analytics.db import embedded
from tests.cli.helpers import free_port, postmaster_pids, run_cli, start_cli, wait_until_healthy

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SUPPORT_ANALYTICS_TEST_SERVER_URL")),
    reason="runs the embedded server, not the PostgreSQL version under test",
)


def _run_demo_once(home: Path) -> str:
    port = free_port()
    demo = start_cli(home, "demo", "--port", str(port))
    try:
        wait_until_healthy(demo, port)
        os.killpg(demo.pid, signal.SIGTERM)
        out, err = demo.communicate(timeout=60)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.communicate()
    assert "Traceback" not in err
    assert f"is running at http://127.0.0.1:{port}" in out
    assert postmaster_pids(home) == []
    return out


def test_demo_loads_once_then_reuses_the_data(tmp_path: Path) -> None:
    try:
        first = _run_demo_once(tmp_path)
        assert "creating the embedded PostgreSQL" in first
        assert "reference data (seed.sql)" in first
        # anchored to today (in the reporting timezone, UTC unless configured)
        assert f"reference data loaded, shifted to end on {datetime.now(UTC).date()}" in first
        second = _run_demo_once(tmp_path)
        assert "reference data already present: reusing it" in second
    finally:
        embedded.stop(tmp_path)
        shutil.rmtree(tmp_path, ignore_errors=True)  # a loaded cluster is ~0.7 GB


@pytest.mark.parametrize(
    ("args", "extra", "expected"),
    [
        (["--host", "0.0.0.0"], {}, "listens on 0.0.0.0"),
        (["--host", "192.0.2.1"], {}, "listens on 192.0.2.1"),
        ([], {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/elsewhere"}, "DATABASE_URL"),
    ],
)
def test_demo_refuses_published_passwords_off_a_laptop(
    tmp_path: Path, args: list[str], extra: dict[str, str], expected: str
) -> None:
    result = run_cli(tmp_path, "demo", "--port", str(free_port()), *args, timeout=60, **extra)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "--insecure-demo-accounts" in result.stderr
    assert not (tmp_path / "pgdata").exists()  # refused before any database started


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_addresses_are_allowed(host: str) -> None:
    assert demo_accounts.refusal(host, embedded=True) is None
