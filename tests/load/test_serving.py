"""`support-analytics serve` under hostile or ending connections (issue 12 items 22 and 25):
a slow request head is cut off, and SIGTERM ends live streams at once and exits promptly."""

from __future__ import annotations

import signal
import socket
import subprocess
import time

import httpx
import pytest

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db.engine import Database
from tests.fixtures.auth import Persona, TestUser, open_session
from tests.load.harness import cli_server

pytestmark = pytest.mark.timeout(180)


def test_a_connection_that_never_finishes_its_request_head_is_closed(
    fresh_database: str,
) -> None:
    env = {"SUPPORT_ANALYTICS_HEADER_TIMEOUT_SECONDS": "1"}
    with cli_server(fresh_database, env=env) as (port, _):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            # A bounded wait: recv returns b"" when the server closes the connection, and
            # raises TimeoutError when it holds it for 10 s (before the fix, for ever).
            assert slow.recv(1024) == b""
        # The server itself is fine.
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200


def test_sigterm_ends_live_streams_and_exits_promptly(
    fresh_database: str, owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    token = open_session(owner_database, personas["agent"])
    with cli_server(fresh_database) as (port, process):
        with httpx.stream(
            "GET",
            f"http://127.0.0.1:{port}/api/v1/events",
            cookies={COOKIE_NAME: token},
            timeout=httpx.Timeout(5, read=20),
        ) as response:
            assert response.status_code == 200
            lines = response.iter_lines()
            assert next(lines).startswith("retry:")
            process.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            rest = list(lines)  # ends when the server closes the stream; read bound: 20 s
            closed_after = time.monotonic() - sent
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("the server was still running 15 s after SIGTERM")
    assert closed_after < 10, (closed_after, rest)  # the deadline the issue sets
