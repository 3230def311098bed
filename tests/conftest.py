"""Test databases: one PostgreSQL server per test session, a migrated template loaded with the
reference data once, and cheap per-test clones of it.

Building the template (migrations, the reference load, the rollups: ~60 s) happens once per
source tree and server version: the first session saves it with `db backup`'s pg_dump under
`.tmp/template-cache/`, keyed by a hash of `src/`, the reference data and the server version,
and later sessions (the other passes of `make test`) restore it with `db restore`'s
pg_restore instead (~15 s). Any change to the product's code makes a new key.

The server is the embedded PostgreSQL 18 unless SUPPORT_ANALYTICS_TEST_SERVER_URL names another
(a superuser URL to any database on it): `make test` uses that to run the database suites a
second time against a system PostgreSQL 15.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from support_analytics import maintenance
from support_analytics.db import backup, embedded, migrate, reference
from support_analytics.db.engine import libpq_url

TEMPLATE = "sa_test_template"
# The suites start dozens of servers; preparing the analytics statements costs each ~1 s of
# CPU and is checked where it matters (tests/load/test_worker_start.py).
QUICK_START = {"SUPPORT_ANALYTICS_PREPARE_STATEMENTS": "false"}
# Users of every role and signed-in TestClients: see tests/fixtures/auth.py.
pytest_plugins = ["tests.fixtures.auth"]


class PgServer:
    """A PostgreSQL server the tests may create and drop databases on."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def url(self, database: str, *, driver: str = "postgresql+psycopg") -> str:
        return (
            make_url(self.admin_url)
            .set(drivername=driver, database=database)
            .render_as_string(hide_password=False)
        )

    def libpq(self, database: str) -> str:
        return libpq_url(self.url(database))

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.libpq("postgres"), autocommit=True) as conn:
            conn.execute(sql.encode())

    def create_database(self, name: str, *, template: str | None = None) -> str:
        clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{clause}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def scratch_database(self, prefix: str, *, template: str | None = None) -> Iterator[str]:
        """A new database `<prefix>_<random>` (SQLAlchemy URL), a copy of `template` if given,
        dropped on exit."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        url = self.create_database(name, template=template)
        try:
            yield url
        finally:
            self.drop_database(name)


# Every test database is a copy of the template (~0.5 GB with the rollups): in memory the
# copies cost a fifth to a quarter less of the database suites' time than on disk, even
# with fsync off (tests/tickets and tests/views: 82-94 s against 119 s here).
SCRATCH_MIN_FREE = 4 * 1024**3


def _scratch_parent() -> str:
    """/dev/shm (memory) when it has room for a cluster, else /tmp."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free >= SCRATCH_MIN_FREE:
        return str(shm)
    return "/tmp"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    external = os.environ.get("SUPPORT_ANALYTICS_TEST_SERVER_URL")
    if external:
        yield PgServer(libpq_url(external))
        return
    # Short path: the unix socket lives inside it.
    home = Path(tempfile.mkdtemp(prefix="sa-pg-", dir=_scratch_parent()))
    server, _ = embedded.start(home)
    try:
        pg = PgServer(server.url("postgres"))
        # A throwaway cluster that no test crashes: commits and checkpoints need not wait
        # for the disk (a third off the database suites' time here). The drills that kill
        # a server start servers of their own, with the product's settings.
        pg.execute("ALTER SYSTEM SET synchronous_commit = off")
        pg.execute("ALTER SYSTEM SET fsync = off")
        pg.execute("SELECT pg_reload_conf()")
        yield pg
    finally:
        embedded.stop(home)
        # Each session's cluster is ~0.7 GB: left behind, they fill the disk in a day.
        shutil.rmtree(home, ignore_errors=True)


ROOT = Path(__file__).resolve().parents[1]


def _template_cache(pg_server: PgServer) -> Path:
    """Where this source tree's template is kept for this server's version."""
    digest = hashlib.sha256()
    sources = sorted((ROOT / "src" / "support_analytics").rglob("*"))
    for path in [*sources, *sorted((ROOT / "database").glob("*.sql"))]:
        if path.is_file() and path.suffix in {".py", ".sql"}:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    with psycopg.connect(pg_server.libpq("postgres")) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
    digest.update(str(version).encode())
    return ROOT / ".tmp" / "template-cache" / f"{digest.hexdigest()[:20]}.dump"


def _build_template(url: str) -> None:
    migrate.upgrade(url)
    reference.load(libpq_url(url))
    maintenance.after_bulk_load(libpq_url(url), "UTC")


@pytest.fixture(scope="session")
def template_database(pg_server: PgServer) -> str:
    """Migrated and loaded with the reference data (seed 0.42); never modified by tests."""
    pg_server.drop_database(TEMPLATE)
    url = pg_server.create_database(TEMPLATE)
    cache = _template_cache(pg_server)
    if cache.is_file():
        backup.restore(libpq_url(url), cache)
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")  # statistics and visibility maps, as after a build
        return TEMPLATE
    _build_template(url)
    cache.parent.mkdir(parents=True, exist_ok=True)
    part = cache.with_suffix(f".part-{os.getpid()}")
    backup.backup(libpq_url(url), part)
    part.replace(cache)  # atomic: a session starting meanwhile builds its own
    return TEMPLATE


@pytest.fixture
def fresh_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    """A private copy of the reference database (SQLAlchemy URL), dropped after the test."""
    with pg_server.scratch_database("sa_test", template=template_database) as url:
        yield url


@pytest.fixture
def empty_database(pg_server: PgServer) -> Iterator[str]:
    """A brand-new database with nothing in it (SQLAlchemy URL)."""
    with pg_server.scratch_database("sa_test") as url:
        yield url


@pytest.fixture(autouse=True)
def _no_job_worker_outlives_its_test() -> Iterator[None]:
    """An in-process job worker shares the task app (its connector) with every later one: a
    worker left running by one test breaks another's far away, so the leak fails here."""
    yield
    leaked = [t for t in threading.enumerate() if t.name == "job-worker" and t.is_alive()]
    assert leaked == [], "a job worker started by this test is still running"
