"""The job queue: jobs outlive the app that queued them, a schedule slot runs once however
many workers run, failures retry with a growing wait and are visible to admins only."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import procrastinate
import pytest
from fastapi.testclient import TestClient
from procrastinate import JobContext
from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.config import Settings, get_settings
from support_analytics.db import migrate
from support_analytics.db.engine import Database, connect, libpq_url
from support_analytics.jobs import tasks as job_tasks
from support_analytics.jobs import worker as job_worker
from support_analytics.mail.message import Mail
from support_analytics.mail.outbox import queue_mail
from support_analytics.tenancy.scope import owner_transaction
from support_analytics.web.app import create_app
from tests.fixtures.auth import ApiClientFactory, Persona, TestUser, sign_in
from tests.jobs.helpers import job_rows, run_worker_until_idle
from tests.mail.smtp import smtp_server


def _invite(client: TestClient, email: str) -> None:
    response = client.post(
        "/api/v1/admin/users", json={"email": email, "role": "agent", "team_member_id": 9}
    )
    assert response.status_code == 201, response.text


def test_a_job_queued_by_a_stopped_app_runs_when_a_worker_starts(
    monkeypatch: pytest.MonkeyPatch,
    fresh_database: str,
    owner_database: Database,
    personas: dict[Persona, TestUser],
) -> None:
    with smtp_server() as (mailbox, port):
        monkeypatch.setenv("SUPPORT_ANALYTICS_SMTP_URL", f"smtp://127.0.0.1:{port}?starttls=off")
        get_settings.cache_clear()
        try:
            app = create_app(Settings(database_url=fresh_database))
            with TestClient(app):
                _invite(sign_in(app, personas["admin"]), "restart@tests.example")
            # The app is gone (lifespan ended, pools closed); the job is in PostgreSQL.
            assert job_rows(owner_database) == [("mail.send", "todo", 0)]
            assert mailbox.received == []
            run_worker_until_idle(fresh_database)
            [mail] = mailbox.wait_for(1)
        finally:
            get_settings.cache_clear()
    assert mail.recipients == ("restart@tests.example",)
    assert job_rows(owner_database) == []


def _probe_app(url: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url, max_size=4))

    @app.periodic(cron="* * * * * *", periodic_id="probe")  # every second
    @app.task(name="tests.probe", queue="probe", pass_context=True)
    async def probe(context: JobContext, timestamp: int) -> None:
        await context.app.connector.execute_query_async(
            query="INSERT INTO probe_runs (slot, worker) VALUES (%(slot)s, %(worker)s)",
            slot=timestamp,
            worker=context.worker_name or "",
        )

    return app


async def _two_workers(url: str, seconds: float) -> None:
    apps = [_probe_app(url), _probe_app(url)]
    for app in apps:
        await app.open_async()
    runs = [
        asyncio.create_task(
            app.run_worker_async(name=f"w{i}", install_signal_handlers=False, concurrency=2)
        )
        for i, app in enumerate(apps)
    ]
    try:
        await asyncio.sleep(seconds)
    finally:
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)
        for app in apps:
            await app.close_async()


def test_each_schedule_slot_runs_exactly_once_with_two_workers(
    fresh_database: str, owner_database: Database
) -> None:
    with owner_transaction(owner_database) as session:
        session.execute(text("CREATE TABLE probe_runs (slot bigint NOT NULL, worker text)"))
    asyncio.run(asyncio.wait_for(_two_workers(libpq_url(fresh_database), 4.0), timeout=60))
    with owner_transaction(owner_database) as session:
        slots = [int(s) for s in session.execute(text("SELECT slot FROM probe_runs")).scalars()]
    assert len(slots) >= 2, slots
    assert len(slots) == len(set(slots)), sorted(slots)


def _retry_in_seconds(database: Database) -> float:
    with owner_transaction(database) as session:
        row = session.execute(
            text("SELECT scheduled_at, now() AS now FROM procrastinate_jobs")
        ).one()
    scheduled: datetime = row.scheduled_at
    now: datetime = row.now
    return (scheduled - now).total_seconds()


def _make_due(database: Database) -> None:
    with owner_transaction(database) as session:
        session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now()"))


def test_a_failing_mail_retries_with_a_growing_wait_and_only_admins_see_it(
    monkeypatch: pytest.MonkeyPatch,
    api_client_factory: ApiClientFactory,
    fresh_database: str,
    owner_database: Database,
) -> None:
    admin = api_client_factory("admin")
    with smtp_server() as (mailbox, port):
        # No ?starttls=off: the server offers no STARTTLS, so nothing is sent in clear.
        monkeypatch.setenv("SUPPORT_ANALYTICS_SMTP_URL", f"smtp://127.0.0.1:{port}")
        get_settings.cache_clear()
        try:
            _invite(admin, "retry@tests.example")
            run_worker_until_idle(fresh_database)
            assert mailbox.received == []
            assert job_rows(owner_database) == [("mail.send", "todo", 1)]
            first_wait = _retry_in_seconds(owner_database)
            assert first_wait > 5

            listed = admin.get("/api/v1/jobs")
            assert listed.status_code == 200, listed.text
            [job] = listed.json()["rows"]
            assert (job["task"], job["status"], job["attempts"]) == ("mail.send", "todo", 1)
            assert job["recipient_domain"] == "tests.example"
            assert datetime.fromisoformat(job["scheduled_at"]) > datetime.now(UTC)
            assert listed.json()["counts"] == {"todo": 1}
            assert "retry@" not in listed.text
            assert "set-password" not in listed.text
            page = admin.get("/admin/jobs")
            assert page.status_code == 200
            assert "retrying" in page.text
            assert "mail.send" in page.text

            _make_due(owner_database)
            run_worker_until_idle(fresh_database)
            assert job_rows(owner_database) == [("mail.send", "todo", 2)]
            assert _retry_in_seconds(owner_database) > first_wait

            monkeypatch.setenv(
                "SUPPORT_ANALYTICS_SMTP_URL", f"smtp://127.0.0.1:{port}?starttls=off"
            )
            get_settings.cache_clear()
            _make_due(owner_database)
            run_worker_until_idle(fresh_database)
            [mail] = mailbox.wait_for(1)
        finally:
            get_settings.cache_clear()
    assert mail.recipients == ("retry@tests.example",)
    assert job_rows(owner_database) == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("client_a", 403), ("agent", 403), ("manager", 403), ("admin", 200)],
)
def test_only_admins_read_the_job_queue(
    api_client_factory: ApiClientFactory, persona: Persona, status: int
) -> None:
    client = api_client_factory(persona)
    assert client.get("/api/v1/jobs").status_code == status
    page = client.get("/admin/jobs", follow_redirects=False)
    assert page.status_code == (
        200 if persona == "admin" else 303 if persona == "anonymous" else 403
    )


def _wait(check: Callable[[], bool], what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"waited {seconds:g} s for {what}"
        time.sleep(0.05)


def _idle(database: Database) -> bool:
    """A worker is registered and runs no job (what its start queued may be waiting)."""
    with owner_transaction(database) as session:
        workers, busy = session.execute(
            text(
                "SELECT (SELECT count(*) FROM procrastinate_workers),"
                " (SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing')"
            )
        ).one()
    return bool(workers and not busy)


def _recompute(database: Database) -> tuple[str, float | None]:
    """The latest SLA recompute request: its status and seconds from request to start."""
    with owner_transaction(database) as session:
        row = session.execute(
            text(
                "SELECT status, extract(epoch FROM started_at - requested_at) FROM sla_recompute"
                " ORDER BY id DESC LIMIT 1"
            )
        ).one()
    return str(row[0]), None if row[1] is None else float(row[1])


def test_a_job_starts_as_soon_as_it_is_committed_on_an_idle_worker(
    monkeypatch: pytest.MonkeyPatch, fresh_database: str, owner_database: Database
) -> None:
    """The SLA recompute an edit queues starts at once on an idle worker: the queue's
    NOTIFY wakes it. The poll is stretched past the wait, so only the notification can
    start the job in time (with `LISTEN_NOTIFY = False` this fails)."""
    monkeypatch.setattr(job_worker, "POLL_SECONDS", 600.0)
    stop = job_worker.start_in_thread(libpq_url(fresh_database), concurrency=1)
    try:
        _wait(lambda: _idle(owner_database), "the worker to start and be idle", 60)
        with owner_transaction(owner_database) as session:
            session.execute(
                text(
                    "UPDATE sla_policies SET first_response_hours = first_response_hours + 1"
                    " WHERE priority = 'urgent' AND ticket_type_id IS NULL AND plan IS NULL"
                )
            )
        _wait(lambda: _recompute(owner_database)[0] != "queued", "the job to start", 5)
    finally:
        assert stop()


def _defer(
    session: Session,
    task: str,
    args: dict[str, int],
    *,
    queue: str,
    lock: str | None = None,
    queueing_lock: str | None = None,
) -> None:
    """Queue a job as the database's own triggers do."""
    session.execute(
        text(
            "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, :queueing,"
            " CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
        ),
        {
            "queue": queue,
            "task": task,
            "lock": lock,
            "queueing": queueing_lock,
            "args": json.dumps(args),
        },
    )


def _taken_by(session: Session, worker_id: int | None) -> None:
    """The newest waiting job, as a worker's fetch leaves it: `doing` under that worker."""
    session.execute(
        text(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :worker"
            " WHERE id = (SELECT max(id) FROM procrastinate_jobs WHERE status = 'todo')"
        ),
        {"worker": worker_id},
    )


def _mail(session: Session, to: str) -> None:
    queue_mail(session.connection(), Mail(to=to, subject=to, text="body", html="<p>body</p>"))


def _workers_after(database: Database, worker_id: int) -> int:
    with owner_transaction(database) as session:
        return int(
            session.execute(
                text("SELECT count(*) FROM procrastinate_workers WHERE id > :w"), {"w": worker_id}
            ).scalar_one()
        )


def test_the_jobs_of_a_dead_worker_run_again_and_a_live_workers_are_left_alone(
    monkeypatch: pytest.MonkeyPatch, empty_database: str
) -> None:
    """A worker killed mid-job (SIGKILL, out of memory, a lost machine) leaves its jobs
    `doing`, and procrastinate never retries them by itself. A starting worker's sweep, and
    the minute's `jobs.retry_stalled` while workers run, queue them again: the mail is sent,
    the SLA recompute finishes (its job had blocked `resume_recompute`), an alert evaluation
    whose twin waits is marked failed. A worker with a fresh heartbeat (alive, only slow)
    keeps its job. Failed before the sweep: the recompute stayed `running`, no mail went."""
    migrate.upgrade(empty_database)  # an empty database: these jobs need no data
    database = connect(empty_database, pool_size=1)
    evaluation = {"timestamp": 0}
    with smtp_server() as (mailbox, port):
        monkeypatch.setenv("SUPPORT_ANALYTICS_SMTP_URL", f"smtp://127.0.0.1:{port}?starttls=off")
        get_settings.cache_clear()
        try:
            with owner_transaction(database) as session:
                dead, alive = session.execute(
                    text(
                        "INSERT INTO procrastinate_workers (last_heartbeat)"
                        " VALUES (now() - interval '1 hour'), (now()) RETURNING id"
                    )
                ).scalars()
                _mail(session, "dead@tests.example")
                _taken_by(session, dead)
                _mail(session, "slow@tests.example")
                _taken_by(session, alive)
                request = session.execute(
                    text(
                        "INSERT INTO sla_recompute (status, started_at) VALUES ('running', now())"
                        " RETURNING id"
                    )
                ).scalar_one()
                _defer(
                    session,
                    "sla.recompute",
                    {"request_id": request},
                    queue="sla",
                    lock="sla.recompute",
                )
                _taken_by(session, dead)
                # An evaluation the dead worker ran, and its twin queued since (the
                # queueing lock allows one waiting).
                for taken in (True, False):
                    _defer(
                        session,
                        "alerts.evaluate",
                        evaluation,
                        queue="alerts",
                        queueing_lock="alerts.evaluate",
                    )
                    if taken:
                        _taken_by(session, dead)

            run_worker_until_idle(empty_database)

            with owner_transaction(database) as session:
                status = session.execute(
                    text("SELECT status FROM sla_recompute WHERE id = :r"), {"r": request}
                ).scalar_one()
            assert status == "done"
            assert [m.recipients for m in mailbox.wait_for(1)] == [("dead@tests.example",)]
            assert job_rows(database) == [
                ("mail.send", "doing", 0),  # the live worker's
                ("alerts.evaluate", "failed", 1),  # its waiting twin ran instead
            ]

            # While a worker runs: a job whose dead worker was pruned (worker_id NULL) goes
            # back to the queue at the minute's sweep (deferred here as its schedule does).
            periodic = job_tasks.app.periodic_registry.periodic_tasks
            assert periodic[("jobs.retry_stalled", "stalled")].cron == "* * * * *"
            stop = job_worker.start_in_thread(libpq_url(empty_database))
            try:
                _wait(lambda: _workers_after(database, alive) > 0, "the worker to start", 60)
                with owner_transaction(database) as session:
                    session.execute(
                        text(
                            "UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = :a"
                        ),
                        {"a": alive},
                    )
                    _mail(session, "pruned@tests.example")
                    _taken_by(session, None)
                with owner_transaction(database) as session:
                    _defer(session, "jobs.retry_stalled", evaluation, queue="maintenance")
                received = mailbox.wait_for(2, seconds=30)
            finally:
                assert stop()
            assert [m.recipients for m in received] == [
                ("dead@tests.example",),
                ("pruned@tests.example",),
            ]
            assert ("mail.send", "doing", 0) in job_rows(database)
        finally:
            get_settings.cache_clear()
            database.engine.dispose()
