"""`demo`, the command `make run` runs: first run loads the reference data, a second run
reuses it; both print where to go and stop their database on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from support_analytics.db import embedded
from tests.cli.helpers import free_port, postmaster_pids, start_cli, wait_until_healthy

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
        assert "reference data loaded" in first
        second = _run_demo_once(tmp_path)
        assert "reference data already present: reusing it" in second
    finally:
        embedded.stop(tmp_path)
        shutil.rmtree(tmp_path, ignore_errors=True)  # a loaded cluster is ~0.7 GB
