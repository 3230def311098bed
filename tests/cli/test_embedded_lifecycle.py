"""The embedded PostgreSQL across real commands: data kept, clean stops on signals, recovery
after `kill -9` of the command or of the postmaster. Each test uses one private home."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support_analytics.db import embedded
from tests.cli.helpers import (
    free_port,
    postmaster_pids,
    run_cli,
    start_cli,
    wait_until_healthy,
)

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SUPPORT_ANALYTICS_TEST_SERVER_URL")),
    reason="about the embedded server, not the PostgreSQL version under test",
)


def _wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still alive")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home initialised and filled with a few generated tickets, stopped between tests."""
    # Short path: the server's unix socket lives inside it.
    path = Path(tmp_path_factory.mktemp("home", numbered=True))
    done = run_cli(path, "db", "generate", "--tickets", "100")
    assert done.returncode == 0, done.stderr
    try:
        yield path
    finally:
        embedded.stop(path)
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _stopped(home: Path) -> Iterator[None]:
    embedded.stop(home)
    yield
    embedded.stop(home)


def _assert_data_kept(home: Path) -> None:
    again = run_cli(home, "db", "generate", "--tickets", "100")
    assert again.returncode == 1
    assert "already holds data (100 tickets)" in again.stderr
    assert "Traceback" not in again.stderr


def test_commands_reuse_the_data_and_stop_the_server_they_started(home: Path) -> None:
    assert postmaster_pids(home) == []
    _assert_data_kept(home)
    assert postmaster_pids(home) == []


def test_db_url_keeps_the_server_for_psql_and_later_commands_leave_it(home: Path) -> None:
    url = run_cli(home, "db", "url")
    assert url.returncode == 0
    assert url.stdout.startswith("postgresql://postgres@/support_analytics?host=")
    assert len(postmaster_pids(home)) == 1
    _assert_data_kept(home)
    assert len(postmaster_pids(home)) == 1
    stopped = run_cli(home, "db", "stop")
    assert stopped.returncode == 0
    assert postmaster_pids(home) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_serve_stops_its_database_on_signals(home: Path, signum: signal.Signals) -> None:
    port = free_port()
    server = start_cli(home, "serve", "--port", str(port))
    try:
        wait_until_healthy(server, port)
        assert len(postmaster_pids(home)) == 1
        # Ctrl-C in a terminal signals the whole foreground process group.
        os.killpg(server.pid, signum)
        out, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert f"http://127.0.0.1:{port}" in out
    assert "Traceback" not in err
    assert postmaster_pids(home) == []


def test_recovers_after_kill_9_of_the_command(home: Path) -> None:
    port = free_port()
    server = start_cli(home, "serve", "--port", str(port))
    try:
        wait_until_healthy(server, port)
    finally:
        server.kill()
        server.communicate()
    # The orphaned server is adopted by the next command, which stops it when done.
    assert len(postmaster_pids(home)) == 1
    _assert_data_kept(home)
    assert postmaster_pids(home) == []


def test_recovers_after_kill_9_of_the_postmaster(home: Path) -> None:
    assert run_cli(home, "db", "url").returncode == 0
    [pid] = postmaster_pids(home)
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    assert (home / "pgdata" / "postmaster.pid").exists()  # stale
    _assert_data_kept(home)


def test_stale_pid_file_naming_a_live_unrelated_process(home: Path) -> None:
    assert run_cli(home, "db", "url").returncode == 0
    [pid] = postmaster_pids(home)
    pid_file = home / "pgdata" / "postmaster.pid"
    lines = pid_file.read_text().splitlines(keepends=True)
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    # The pid is reused by some other process of ours, as happens after a reboot.
    with subprocess.Popen(["sleep", "60"]) as impostor:
        try:
            pid_file.write_text("".join([f"{impostor.pid}\n", *lines[1:]]))
            _assert_data_kept(home)
        finally:
            impostor.kill()


def test_a_command_sharing_the_server_leaves_it_to_the_one_that_started_it(home: Path) -> None:
    port = free_port()
    server = start_cli(home, "serve", "--port", str(port))
    try:
        wait_until_healthy(server, port)
        _assert_data_kept(home)  # a second command adopts the running server...
        assert len(postmaster_pids(home)) == 1  # ...and leaves it to the server still using it
        wait_until_healthy(server, port)
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert postmaster_pids(home) == []
