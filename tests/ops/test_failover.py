"""Drill: failover to a synchronous standby with the app left running. DATABASE_URL names both
servers (libpq's `host=a,b` with `target_session_attrs=read-write`); the primary's postmaster
is killed (`kill -9`) under a write load and the standby promoted. While no server accepts
writes the API answers 503 with Retry-After (never a 500); afterwards it writes to the promoted
standby without a restart, and every write acknowledged with 201 exists there exactly once:
with `synchronous_standby_names` a commit is acknowledged only once the standby has it."""

from __future__ import annotations

import os
import signal
import threading
import time

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from support_analytics.db import migrate
from support_analytics.db.engine import connect, libpq_url, normalise_url
from tests.fixtures.auth import create_personas, open_session
from tests.load.harness import server_process
from tests.ops import standby as replication
from tests.ops.test_kill_drill import Writers
from tests.ops.test_read_replica import MINIMAL_DATA

pytestmark = pytest.mark.timeout(180)

DATABASE = "sa_failover"
STANDBY_NAME = "failover_standby"
WRITERS = 4
BEFORE_KILL = 12  # acknowledged writes before the kill
AFTER_PROMOTE = 12  # acknowledged writes after the promotion
AWAY = 2.0  # seconds with no writable server before the promotion


def _synchronous(primary: replication.Cluster, standby: replication.Cluster) -> None:
    """Name the standby (application_name in its primary_conninfo) and make the primary wait
    for it on every commit. Set after the base backup, so the standby does not inherit
    synchronous_standby_names and, once promoted, does not wait for a standby of its own."""
    conninfo = f"user=postgres host={primary.socket} application_name={STANDBY_NAME}"
    with (standby.data / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"primary_conninfo = '{conninfo}'\n")
    standby.pg_ctl("reload")
    with psycopg.connect(primary.libpq("postgres"), autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET synchronous_standby_names = '{STANDBY_NAME}'")
        conn.execute("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 30
        while True:
            row = conn.execute(
                "SELECT sync_state FROM pg_stat_replication WHERE application_name = %s",
                (STANDBY_NAME,),
            ).fetchone()
            if row is not None and row[0] == "sync":
                return
            assert time.monotonic() < deadline, f"the standby is not synchronous: {row}"
            time.sleep(0.1)


def test_kill_9_of_the_primary_fails_over_to_the_synchronous_standby_losing_nothing() -> None:
    with replication.primary_and_standby() as (primary, standby):
        _synchronous(primary, standby)
        with psycopg.connect(primary.libpq("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        migrate.upgrade(primary.url(DATABASE))
        with psycopg.connect(primary.libpq(DATABASE), autocommit=True) as conn:
            conn.execute(MINIMAL_DATA.encode())
        owner = connect(primary.url(DATABASE), pool_size=1)
        try:
            token = open_session(owner, create_personas(owner)["client_a"])
        finally:
            owner.engine.dispose()

        both = (
            f"postgresql+psycopg://postgres@/{DATABASE}"
            f"?host={primary.socket},{standby.socket}&target_session_attrs=read-write"
        )
        with server_process(both) as port:
            writers = Writers(f"http://127.0.0.1:{port}", token)
            threads = [
                threading.Thread(target=writers.run, args=(n,), daemon=True) for n in range(WRITERS)
            ]
            for thread in threads:
                thread.start()
            try:
                writers.wait_for(BEFORE_KILL, "writes before the kill")
                pid = (primary.data / "postmaster.pid").read_text().split("\n", 1)[0]
                os.kill(int(pid), signal.SIGKILL)
                killed_at = writers.count()
                time.sleep(AWAY)  # writes keep coming while no server accepts them
                standby.pg_ctl("-w", "-t", str(replication.TIMEOUT), "promote")
                writers.wait_for(killed_at + AFTER_PROMOTE, "writes after the promotion")
            finally:
                writers.stop.set()
                for thread in threads:
                    thread.join(timeout=15)

        with psycopg.connect(standby.libpq(DATABASE)) as conn:
            in_recovery = conn.execute("SELECT pg_is_in_recovery()").fetchone()
            rows = conn.execute(
                "SELECT title, count(*) FROM tickets WHERE title LIKE 'drill-%' GROUP BY title"
            ).fetchall()

    stored = {str(title): int(n) for title, n in rows}
    away = max(writers.unavailable_at, default=0.0) - min(writers.unavailable_at, default=0.0)
    print(  # the figures docs/operations.md quotes
        f"failover: {dict(writers.statuses)}, 503s over {away:.1f} s, "
        f"{len(writers.acknowledged)} acknowledged, {len(stored)} stored on the promoted standby"
    )
    assert in_recovery == (False,)  # the rows below were read on the promoted standby
    assert writers.wrong == []
    assert writers.statuses["503"] > 0  # no server accepted writes for a while
    assert "ReadTimeout" not in writers.statuses  # answered, never left hanging
    assert writers.count() >= killed_at + AFTER_PROMOTE  # carried on after the promotion
    assert {key for key in writers.acknowledged if key not in stored} == set()
    assert {key: n for key, n in stored.items() if n > 1} == {}


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql://u@/db?host=/run/a,/run/b&target_session_attrs=read-write",
        "postgresql://u@/db?host=/run/a&host=/run/b&target_session_attrs=read-write",
    ],
)
def test_both_spellings_of_a_multi_host_url_reach_both_hosts_from_plain_psycopg(raw: str) -> None:
    # Startup maintenance, the live listener and the job worker connect with libpq_url; libpq
    # keeps only the last of repeated keys, which would pin them to the standby.
    parts = conninfo_to_dict(libpq_url(normalise_url(raw)))
    assert parts["host"] == "/run/a,/run/b"
    assert parts["target_session_attrs"] == "read-write"
