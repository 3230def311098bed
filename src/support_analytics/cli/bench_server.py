"""What `bench` measures end to end against: `serve` in a subprocess on a free loopback
port, on the database being measured, and a keep-alive HTTP client signed in to it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

from support_analytics.errors import AppError

HOST = "127.0.0.1"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
REQUEST_TIMEOUT_S = 120.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AppError(f"the server exited ({process.returncode}): {_tail(log)}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
            connection.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise AppError(
        f"the server did not answer /healthz within {START_TIMEOUT_S:.0f} s: {_tail(log)}"
    )


def _tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(lines[-5:]) or "no output"


@contextmanager
def local_server(database_url: str) -> Iterator[int]:
    """`support-analytics serve` (one worker, as configured otherwise) on a free loopback port;
    yields the port once /healthz answers, and stops the server afterwards."""
    env = {k: v for k, v in os.environ.items() if k != "SUPPORT_ANALYTICS_DATABASE_URL"}
    env["DATABASE_URL"] = database_url  # the bench's own database, embedded or not
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="sa-bench-") as folder:
        log = Path(folder) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "support_analytics",
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            try:
                _wait_until_healthy(process, port, log)
                yield port
            finally:
                process.terminate()
                try:
                    process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=STOP_TIMEOUT_S)


class Client:
    """One keep-alive connection, as a browser tab has, carrying the session cookie."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        self._cookies: dict[str, str] = {}

    def close(self) -> None:
        self._connection.close()

    def sign_in(self, email: str, password: str) -> None:
        body = json.dumps({"email": email, "password": password})
        status, text, cookies = self._send(
            "POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"}
        )
        if status != 200:
            raise AppError(f"signing in as {email} failed: {status} {text[:200]}")
        for header in cookies:
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(header)
            self._cookies.update({name: morsel.value for name, morsel in parsed.items()})

    def get(self, path: str) -> float:
        """Milliseconds from sending the request to the last byte of a 200 answer."""
        started = time.perf_counter()
        try:
            status, text, _ = self._send("GET", path)
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closed an idle keep-alive connection (a slow baseline call in
            # between): reconnect and time the retry alone, as a browser would reconnect.
            self._connection.close()
            self._connection = http.client.HTTPConnection(
                HOST, self._port, timeout=REQUEST_TIMEOUT_S
            )
            started = time.perf_counter()
            status, text, _ = self._send("GET", path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise AppError(f"GET {path} answered {status}: {text[:300]}")
        return elapsed

    def _send(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, list[str]]:
        sent = dict(headers or {})
        if self._cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self._cookies.items())
        self._connection.request(method, path, body=body, headers=sent)
        response = self._connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return response.status, text, response.headers.get_all("Set-Cookie") or []
