"""A running worker outlives a restart of PostgreSQL: a job queued before the stop that had
not run yet, and a job queued after the start, both run, without restarting the worker.
Failed before jobs/worker.py started a stopped worker again: procrastinate stops its worker
when its LISTEN connection dies, and nothing ran after the restart."""

from __future__ import annotations

import gc
import threading
import time

import pytest
from sqlalchemy import text

from support_analytics.config import get_settings
from support_analytics.db import embedded
from support_analytics.db.engine import Database, connect, libpq_url
from support_analytics.jobs.worker import start_in_thread
from support_analytics.mail.message import Mail
from support_analytics.mail.outbox import queue_mail
from support_analytics.tenancy.scope import owner_transaction
from tests.jobs.helpers import job_rows
from tests.load.harness import stoppable_database
from tests.mail.smtp import smtp_server


def _queue(database: Database, to: str, *, hold: bool = False) -> None:
    with owner_transaction(database) as session:
        queue_mail(session.connection(), Mail(to=to, subject=to, text="body", html="<p>body</p>"))
        if hold:
            # Not due before the restart: it can only run after it.
            session.execute(
                text(
                    "UPDATE procrastinate_jobs SET scheduled_at = now() + interval '1 hour'"
                    " WHERE task_name = 'mail.send' AND status = 'todo'"
                )
            )


def _make_due(database: Database) -> None:
    with owner_transaction(database) as session:
        session.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = 'mail.send'")
        )


def _mail_jobs(database: Database) -> list[tuple[str, str, int]]:
    # The worker's own schedule (alert evaluation, pruning) queues jobs too.
    return [row for row in job_rows(database) if row[0] == "mail.send"]


def _wait_until_no_mail_jobs(database: Database) -> None:
    deadline = time.monotonic() + 15
    while _mail_jobs(database) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _mail_jobs(database) == []


# A connection that dies with the server may be collected unclosed (psycopg's ResourceWarning,
# raised through pytest as an unraisable exception at whatever test runs then); what this test
# checks is that the worker carries on, not how its dead connections are cleaned up.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_running_worker_runs_jobs_queued_before_and_after_a_postgres_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with stoppable_database(data=False) as (home, url), smtp_server() as (mailbox, port):
        monkeypatch.setenv("SUPPORT_ANALYTICS_SMTP_URL", f"smtp://127.0.0.1:{port}?starttls=off")
        get_settings.cache_clear()
        database = connect(url, pool_size=1)
        stop_worker = start_in_thread(libpq_url(url))
        try:
            _queue(database, "first@tests.example")
            assert [m.recipients for m in mailbox.wait_for(1, seconds=30)] == [
                ("first@tests.example",)
            ]
            # The mail arrives before the worker records the job done and deletes its row.
            _wait_until_no_mail_jobs(database)
            _queue(database, "before@tests.example", hold=True)
            assert _mail_jobs(database) == [("mail.send", "todo", 0)]

            embedded.stop(home)
            database.engine.dispose()  # its connections died with the server
            embedded.start(home)

            _make_due(database)
            _queue(database, "after@tests.example")
            # Bounded, not prompt: the worker's pool re-connects with psycopg_pool's backoff
            # (1, 2, 4, ... s from the first refused attempt): a CI run with the two passes
            # beside it saw no mail within a 60 s bound; alone here the jobs ran well within it.
            received = mailbox.wait_for(3, seconds=150)
            assert sorted(m.recipients[0] for m in received) == [
                "after@tests.example",
                "before@tests.example",
                "first@tests.example",
            ]
            _wait_until_no_mail_jobs(database)
        finally:
            stop_worker()
            database.engine.dispose()
            get_settings.cache_clear()
            gc.collect()  # the dead connections go now, under this test's warning filter


def _worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "job-worker" and t.is_alive()]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_worker_asked_to_stop_while_the_database_is_down_stops() -> None:
    """A stop (SIGTERM) during an outage ends the worker. Before, the stop's own clean-up
    (procrastinate unregisters the worker) failed on the missing database, that failure
    replaced the cancellation and the supervisor started the worker again: it never ended,
    and in the test suite the leaked worker kept swapping the connector of the shared task
    app under later workers (the CI run where no job ran after a restart)."""
    assert _worker_threads() == []
    with stoppable_database(data=False) as (home, url):
        stop_worker = start_in_thread(libpq_url(url))
        time.sleep(1.0)  # running: registered, listening
        embedded.stop(home)
        try:
            stop_worker()
            deadline = time.monotonic() + 45
            while _worker_threads() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _worker_threads() == [], "the worker was still running 45 s after its stop"
        finally:
            embedded.start(home)  # a leaked worker would restart and stop for good
            stop_worker()
            gc.collect()
