"""A throwaway primary and a streaming-replication standby of it, built with the system
PostgreSQL 15 binaries: `initdb`, then `pg_basebackup -R` (which writes `standby.signal` and
`primary_conninfo`). Unix sockets in a private folder only (no TCP), stopped and removed when
the block ends. PostgreSQL refuses to run as root: then both run as the unprivileged account
the embedded server uses."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
SERVICE_USER = "embedded_postgres"
TIMEOUT = 60


@dataclass(frozen=True)
class Cluster:
    data: Path
    socket: Path
    run_as: tuple[str, ...]

    def url(self, database: str, *, user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@/{database}?host={self.socket}"

    def libpq(self, database: str, *, user: str = "postgres") -> str:
        return f"postgresql://{user}@/{database}?host={self.socket}"

    def pg_ctl(self, *args: str) -> None:
        _run(self.run_as, str(BIN / "pg_ctl"), "-D", str(self.data), *args)

    def start(self) -> None:
        self.pg_ctl(
            "-l",
            f"{self.data}.log",
            "-w",
            "-t",
            str(TIMEOUT),
            "-o",
            f"-k {self.socket} -c listen_addresses='' -c shared_buffers=32MB "
            "-c max_connections=40 -c wal_level=replica -c max_wal_senders=4",
            "start",
        )

    def stop(self) -> None:
        self.pg_ctl("-m", "immediate", "stop")


def _run(run_as: tuple[str, ...], *command: str) -> None:
    subprocess.run([*run_as, *command], check=True, capture_output=True, timeout=TIMEOUT)


@contextmanager
def primary_and_standby() -> Iterator[tuple[Cluster, Cluster]]:
    if not (BIN / "pg_basebackup").exists():
        pytest.skip(f"no PostgreSQL 15 server binaries in {BIN} (make system-deps)")
    root = Path(tempfile.mkdtemp(prefix="sa-rep-", dir="/tmp"))
    run_as: tuple[str, ...] = ()
    if os.geteuid() == 0:
        subprocess.run(["id", "-u", SERVICE_USER], check=True, capture_output=True)
        run_as = ("runuser", "-u", SERVICE_USER, "--")
    for folder in ("psock", "ssock"):
        (root / folder).mkdir()
    if run_as:
        for path in (root, root / "psock", root / "ssock"):
            shutil.chown(path, SERVICE_USER)
    primary = Cluster(root / "primary", root / "psock", run_as)
    standby = Cluster(root / "standby", root / "ssock", run_as)
    started: list[Cluster] = []
    try:
        _run(
            run_as,
            str(BIN / "initdb"),
            "-D",
            str(primary.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        primary.start()
        started.append(primary)
        _run(
            run_as,
            str(BIN / "pg_basebackup"),
            "-h",
            str(primary.socket),
            "-U",
            "postgres",
            "-D",
            str(standby.data),
            "-R",
            "-X",
            "stream",
        )
        standby.start()
        started.append(standby)
        yield primary, standby
    finally:
        for cluster in reversed(started):
            with contextlib.suppress(subprocess.CalledProcessError):  # the test stopped it
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
