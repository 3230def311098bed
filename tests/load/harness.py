"""A loopback server in a subprocess and a cheap raw-socket HTTP/1.1 client for load tests.

The server runs in its own process (`uvicorn --factory`) so the flood the test generates does
not share a GIL with it; the client speaks just enough HTTP to read a status line, which lets
one asyncio loop hold hundreds of connections without a client library's overhead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from support_analytics import maintenance
from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db import embedded, migrate, reference
from support_analytics.db.engine import connect, libpq_url
from tests.conftest import QUICK_START, PgServer
from tests.fixtures.auth import create_personas, open_session
from tests.live.serving import free_port

HANG = 0  # the status recorded for a request that did not answer within its bound


@dataclass
class Outcome:
    status: int
    seconds: float


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for outcome in self.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts

    def p95(self) -> float:
        times = sorted(o.seconds for o in self.outcomes)
        return times[min(len(times) - 1, int(len(times) * 0.95))] if times else 0.0


def _request_bytes(
    path: str, token: str | None, *, close: bool = True, accept: str = "application/json"
) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", f"Accept: {accept}"]
    if close:
        lines.append("Connection: close")
    if token is not None:
        lines.append(f"Cookie: {COOKIE_NAME}={token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _status(reader: asyncio.StreamReader) -> int:
    line = await reader.readline()
    parts = line.split()
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else HANG


async def get(port: int, path: str, *, token: str | None = None, bound: float = 10.0) -> Outcome:
    """One request on a fresh connection; a request that takes longer than `bound` is HANG."""
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def exchange() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(_request_bytes(path, token))
            status = await _status(reader)
            await reader.read()  # to EOF: the whole body has arrived
            return status
        finally:
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()

    try:
        status = await asyncio.wait_for(exchange(), timeout=bound)
    except (TimeoutError, OSError):
        status = HANG
    return Outcome(status, loop.time() - started)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


async def fetch(
    port: int, path: str, *, token: str | None = None, accept: str = "application/json"
) -> Answer:
    """One request on a keep-alive connection: status, headers (lower-case names), body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(_request_bytes(path, token, close=False, accept=accept))
        head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=15)).decode()
        status_line, *lines = head.strip().split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines)
        }
        length = int(headers.get("content-length", "0"))
        body = await asyncio.wait_for(reader.readexactly(length), timeout=15)
        return Answer(int(status_line.split()[1]), headers, body)
    finally:
        writer.close()
        with suppress(OSError):
            await writer.wait_closed()


@dataclass
class OpenStream:
    status: int
    writer: asyncio.StreamWriter | None


async def open_stream(port: int, path: str, token: str, *, bound: float = 10.0) -> OpenStream:
    """Open an SSE request and read its status line; the connection stays open."""

    async def start() -> OpenStream:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_request_bytes(path, token, close=False))
        return OpenStream(await _status(reader), writer)

    try:
        return await asyncio.wait_for(start(), timeout=bound)
    except (TimeoutError, OSError):
        return OpenStream(HANG, None)


def close_streams(streams: list[OpenStream]) -> None:
    for stream in streams:
        if stream.writer is not None:
            stream.writer.close()


@contextmanager
def server_process(
    database_url: str, *, env: Mapping[str, str] | None = None, workers: int = 1
) -> Iterator[int]:
    """`uvicorn` serving the app on 127.0.0.1 in a subprocess; yields its port."""
    with _served(database_url, env=env, workers=workers, cli=False) as (port, _):
        yield port


@contextmanager
def cli_server(
    database_url: str, *, env: Mapping[str, str] | None = None, workers: int = 1
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`support-analytics serve` in a subprocess; yields its port and the process."""
    with _served(database_url, env=env, workers=workers, cli=True) as served:
        yield served


@contextmanager
def _served(
    database_url: str, *, env: Mapping[str, str] | None, workers: int, cli: bool
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    environment = {
        **os.environ,
        "SUPPORT_ANALYTICS_DATABASE_URL": database_url,
        **QUICK_START,
        **(env or {}),
    }
    environment.pop("DATABASE_URL", None)
    address = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if cli:
        command = [sys.executable, "-m", "support_analytics", "serve", *address]
    else:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "support_analytics.web.app:create_server_app",
            "--factory",
            *address,
            "--log-level",
            "warning",
        ]
    process = subprocess.Popen(command, env=environment)
    try:
        _wait_until_up(port, process)
        yield port, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited during start-up"
        if asyncio.run(get(port, "/healthz", bound=2.0)).status == 200:
            return
        time.sleep(0.2)
    raise AssertionError("the server did not start within 60 s")


@contextmanager
def stoppable_database(*, data: bool = True) -> Iterator[tuple[Path, str]]:
    """A PostgreSQL of the test's own (the shared one must not stop): yields its home, for
    `embedded.stop(home)` / `embedded.start(home)`, and the URL of a migrated database with
    the reference data (`data=False`: empty, for a drill that reads none; loading it is
    ~25 s)."""
    home = Path(tempfile.mkdtemp(prefix="sa-out-", dir="/tmp"))
    try:
        server, _ = embedded.start(home)
        url = PgServer(server.url("postgres")).create_database("sa_outage")
        migrate.upgrade(url)
        if data:
            reference.load(libpq_url(url))
            maintenance.after_bulk_load(libpq_url(url), "UTC")
        yield home, url
    finally:
        embedded.stop(home)
        shutil.rmtree(home, ignore_errors=True)


def admin_token(url: str) -> str:
    """Create the test personas in `url` and open a session for the admin."""
    owner = connect(url, pool_size=1)
    try:
        return open_session(owner, create_personas(owner)["admin"])
    finally:
        owner.engine.dispose()
