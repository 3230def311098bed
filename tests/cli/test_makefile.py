"""`make run` (issue 11, first hour): PORT and HOST reach `demo`, and setup is quiet."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _dry_run(*args: str) -> str:
    # -B: show every recipe as on a fresh clone, -n: run none of them.
    done = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def _demo_line(out: str) -> str:
    lines = [line for line in out.splitlines() if "support-analytics demo" in line]
    assert len(lines) == 1, out
    return lines[0]


def test_port_and_host_reach_demo() -> None:
    assert _demo_line(_dry_run("run", "PORT=8001")).split()[-2:] == ["--port", "8001"]
    line = _demo_line(_dry_run("run", "PORT=8002", "HOST=127.0.0.2"))
    assert "--host 127.0.0.2" in line
    assert "--port 8002" in line


def test_plain_run_passes_no_options() -> None:
    assert _demo_line(_dry_run("run", "PORT=", "HOST=")).endswith("support-analytics demo")


def test_setup_lists_no_packages() -> None:
    out = _dry_run("run")
    (sync,) = [line for line in out.splitlines() if " sync " in line]
    assert "--quiet" in sync
    (npm,) = [line for line in out.splitlines() if "npm ci" in line]
    assert "--silent" in npm
