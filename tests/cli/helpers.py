"""Run the real `support-analytics` command in a subprocess against a private home."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

# The first start creates the cluster and loads the reference data: ~70 s on a loaded
# 2-core machine (load average 10).
SERVER_START_TIMEOUT = 240.0


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith("SUPPORT_ANALYTICS_")
    }
    env.update({"SUPPORT_ANALYTICS_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}, **extra)
    return env


def run_cli(
    home: Path, *args: str, timeout: float = 180, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "support_analytics", *args],
        env=cli_env(home, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_cli(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    """A long-running command in its own session, so a test can signal it like a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "support_analytics", *args],
        env=cli_env(home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_healthy(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, err = process.communicate()
            raise AssertionError(f"the server exited with {process.returncode}: {err}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become healthy in time")


def postmaster_pids(home: Path) -> list[int]:
    """Live postmasters serving `home`'s data folder."""
    pgdata = str((home / "pgdata").resolve()).encode()
    pids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if pgdata in args:
            pids.append(int(entry.name))
    return pids
