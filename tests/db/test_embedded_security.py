"""The embedded server's folders cannot be prepared by another local user (issue 12, item 2).

Whoever can create or write the socket folder first can connect with trust authentication as
the superuser; whoever owns the home can plant files the server's user then trusts. Run as
root, "another user" is `nobody`; as anyone else the foreign-owned cases are skipped.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support_analytics.db import embedded

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SUPPORT_ANALYTICS_TEST_SERVER_URL")),
    reason="about the embedded server, not the PostgreSQL version under test",
)
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")


def _nobody() -> int:
    return pwd.getpwnam("nobody").pw_uid


def _server_uid() -> int:
    return pwd.getpwnam(embedded.SYSTEM_USER).pw_uid if os.geteuid() == 0 else os.geteuid()


@pytest.fixture
def long_home() -> Iterator[Path]:
    """A home whose socket path would be too long, so the socket goes elsewhere."""
    base = Path(tempfile.mkdtemp(prefix="sa-sock-", dir="/tmp"))
    home = base / ("h" * 90)
    try:
        yield home
    finally:
        embedded.stop(home)
        record = home / ".socket-dir"
        if record.exists():
            shutil.rmtree(record.read_text().strip(), ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def base() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="sa-home-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _assert_private(path: Path) -> None:
    info = path.lstat()
    assert stat.S_ISDIR(info.st_mode)
    assert info.st_uid == _server_uid()
    assert stat.S_IMODE(info.st_mode) == 0o700


@as_root
def test_a_socket_folder_made_first_by_someone_else_is_not_used(long_home: Path) -> None:
    # The name the server used to pick: predictable from the home's path.
    digest = hashlib.sha256(str(long_home).encode()).hexdigest()[:12]
    planted = Path(tempfile.gettempdir()) / f"support-analytics-{digest}"
    planted.mkdir(mode=0o777, exist_ok=True)
    planted.chmod(0o777)
    os.chown(planted, _nobody(), -1)
    try:
        server, _ = embedded.start(long_home)
        assert server.socket_dir != planted
        _assert_private(server.socket_dir)
        assert not list(planted.iterdir())
        socket = server.socket_dir / ".s.PGSQL.5432"
        assert stat.S_IMODE(socket.stat().st_mode) & 0o077 == 0
        again, started = embedded.start(long_home)
        assert (again.socket_dir, started) == (server.socket_dir, False)
    finally:
        shutil.rmtree(planted, ignore_errors=True)


@as_root
def test_a_home_owned_by_someone_else_is_refused(base: Path) -> None:
    home = base / "home"
    home.mkdir()
    os.chown(home, _nobody(), -1)
    with pytest.raises(embedded.EmbeddedPostgresError, match="owned by"):
        embedded.start(home)
    assert not (home / "pgdata").exists()


def test_a_home_others_can_write_is_refused(base: Path) -> None:
    home = base / "home"
    home.mkdir()
    home.chmod(0o777)
    with pytest.raises(embedded.EmbeddedPostgresError, match="writable"):
        embedded.start(home)
    assert not (home / "pgdata").exists()


@pytest.mark.parametrize("folder", ["run", "pgdata"])
def test_a_loose_server_folder_in_the_home_is_refused(base: Path, folder: str) -> None:
    home = base / "home"
    (home / folder).mkdir(parents=True)
    (home / folder).chmod(0o777)
    with pytest.raises(embedded.EmbeddedPostgresError, match=folder):
        embedded.start(home)
    assert not (home / "pgdata" / "PG_VERSION").exists()
