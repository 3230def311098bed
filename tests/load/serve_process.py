"""`support-analytics serve` (the console script, as users run it) in a subprocess on loopback,
with its log in a file, for the shutdown and worker start-up tests.

Start-up is bounded by START_SECONDS, generous because on the shared 2-core machine importing
the app alone took close to a minute at load average 20; the process is always stopped
(SIGTERM, then SIGKILL after 20 s) when the block ends.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import QUICK_START
from tests.live.serving import free_port

CONSOLE_SCRIPT = Path(sys.executable).with_name("support-analytics")
START_SECONDS = 240
READY = "Application startup complete"
STARTED = re.compile(r"Started server process \[(\d+)\]")


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    kept: str | None = None  # the whole log, once the process has been stopped

    def text(self) -> str:
        return self.kept if self.kept is not None else self.log.read_text(errors="replace")


@contextmanager
def serve(
    database_url: str, *, workers: int, env: Mapping[str, str] | None = None
) -> Iterator[Served]:
    port = free_port()
    environment = {
        **os.environ,
        "SUPPORT_ANALYTICS_DATABASE_URL": database_url,
        **QUICK_START,
        **(env or {}),
    }
    environment.pop("DATABASE_URL", None)
    command = [str(CONSOLE_SCRIPT), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryDirectory(prefix="sa-serve-") as folder:
        log = Path(folder) / "log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "--workers", str(workers)],
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            served = Served(port, process, log)
            try:
                _wait_until_up(served, workers)
                yield served
            finally:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
                served.kept = served.text()


def both_workers_started(text: str) -> None:
    """The log of a `serve --workers 2` shows two worker processes up, none lost."""
    workers = set(STARTED.findall(text))
    assert len(workers) == 2, text[-3000:]
    assert text.count(READY) == 2, text[-3000:]
    for sign in ("died", "was not ready", "failed to start"):
        assert sign not in text, text[-3000:]


def _wait_until_up(served: Served, workers: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert served.process.poll() is None, served.text()[-3000:]
        if served.text().count(READY) >= workers:
            answer = httpx.get(f"http://127.0.0.1:{served.port}/healthz", timeout=30)
            assert answer.status_code == 200, answer.text
            return
        time.sleep(0.5)
    raise AssertionError(f"not started within {START_SECONDS} s:\n{served.text()[-3000:]}")
