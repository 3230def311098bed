"""Running the worker: `support-analytics worker` in the foreground, or in a thread of
`demo` (one process for a laptop)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import procrastinate
from procrastinate import BaseConnector

from support_analytics.alerts import tasks as alert_tasks
from support_analytics.digests import tasks as digest_tasks  # noqa: F401 - registers its tasks
from support_analytics.jobs.tasks import (
    HEARTBEAT_SECONDS,
    STALLED_WORKER_SECONDS,
    app,
    resume_recompute,
    retry_stalled_jobs,
)
from support_analytics.mail import notifications  # noqa: F401 - registers its task

log = logging.getLogger(__name__)


class WorkerConnector(procrastinate.PsycopgConnector):
    """The worker's pool. A job deferred synchronously on a connection we pass (mail/outbox.py
    and alerts/delivery.py, from a task's thread) runs its insert on that connection through a
    sync connector: with the async pool open, procrastinate would send it down the async path
    with a sync connection, which fails."""

    def __init__(self, *, conninfo: str, min_size: int, max_size: int) -> None:
        super().__init__(
            conninfo=conninfo, min_size=min_size, max_size=max_size, timeout=POOL_TIMEOUT
        )
        self._on_given_connection = procrastinate.SyncPsycopgConnector()

    def get_sync_connector(self) -> BaseConnector:
        return self._on_given_connection


@contextmanager
def worker_app(
    libpq_url: str, *, pool_size: int, keep_schedule: bool
) -> Iterator[procrastinate.App]:
    connector = WorkerConnector(conninfo=libpq_url, min_size=1, max_size=pool_size)
    if keep_schedule:
        # A periodic task defers its slots through the app it was declared on, so the worker
        # must be that app with the worker's pool (a `with_connector` copy left it unopened:
        # every slot failed with AppNotOpen).
        with app.replace_connector(connector) as worker:
            yield worker
        return
    # A run that stops once idle keeps no schedule: the same tasks, no periodic ones.
    worker = procrastinate.App(connector=connector)
    worker.tasks = app.tasks
    yield worker


# How long the worker's own statements (fetch, status, heartbeat) wait for a connection:
# during an outage this bounds how long a stop takes (procrastinate unregisters the worker
# on its way out, and waits for a connection to do it).
POOL_TIMEOUT = 10.0
# How a queued job reaches an idle worker: the INSERT's trigger NOTIFYs procrastinate's
# channel and the worker, LISTENing on a connection of its own, fetches at once (0.02-0.04 s
# from the queuing commit to the job's start, measured). The poll is only the fallback: a
# job whose time comes later (a retry's backoff, which sends no notification then), or a
# notification lost while the LISTEN connection was being re-made.
LISTEN_NOTIFY = True
POLL_SECONDS = 5.0
# Waits before starting a stopped worker again: quick at first (a database restart takes
# seconds), then no more than one attempt every 30 s while the database stays away.
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
# A worker that ran this long before it stopped starts again at the first delay.
STEADY_SECONDS = 60.0


async def run(
    libpq_url: str,
    *,
    concurrency: int = 2,
    install_signal_handlers: bool = True,
    name: str = "worker",
    wait: bool = True,
) -> None:
    """Run until SIGINT/SIGTERM (or cancellation; with `wait=False` until no job is due):
    jobs of every queue, the periodic schedule, heartbeats. A successful job's row is
    deleted; a failed one stays for the admin page until the periodic prune.

    The signals cancel this task, which procrastinate turns into a graceful stop. Any other
    end is a failure: procrastinate stops its worker when a side task fails (its LISTEN
    connection dies with a database restart), so the worker is started again after a delay
    instead of leaving jobs unrun until someone restarts the process."""
    if not install_signal_handlers:
        await _supervise(libpq_url, concurrency=concurrency, name=name, wait=wait)
        return
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        await _supervise(libpq_url, concurrency=concurrency, name=name, wait=wait)
    except asyncio.CancelledError:
        log.info("the job worker stopped on a signal")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _supervise(libpq_url: str, *, concurrency: int, name: str, wait: bool) -> None:
    loop = asyncio.get_running_loop()
    this = asyncio.current_task()
    assert this is not None
    failures = 0
    while True:
        started = loop.time()
        try:
            await _run_once(libpq_url, concurrency=concurrency, name=name, wait=wait)
            if not wait:
                return
            reason = "it stopped by itself (a side task failed: the database went away?)"
        except Exception as exc:  # the database away at start, or gone while stopping
            if not wait:
                raise
            reason = f"{type(exc).__name__}: {exc}"
        if this.cancelling():
            # Asked to stop: procrastinate's clean-up on the way out can fail when the
            # database is away, and that failure replaces the cancellation; it is still a stop.
            log.warning("the job worker stopped (%s on the way out)", reason)
            raise asyncio.CancelledError
        failures = 0 if loop.time() - started >= STEADY_SECONDS else failures + 1
        delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
        log.error("the job worker stopped (%s); starting it again in %.0f s", reason, delay)
        await asyncio.sleep(delay)


async def _run_once(libpq_url: str, *, concurrency: int, name: str, wait: bool) -> None:
    with worker_app(libpq_url, pool_size=concurrency + 2, keep_schedule=wait) as worker:
        async with worker.open_async(), alert_tasks.running(libpq_url, worker):
            # A worker that died left its jobs `doing`: they go back to the queue first (the
            # minute's `jobs.retry_stalled` does the same while workers run), so an SLA
            # recompute it held is resumed by its own job rather than stuck behind it.
            await retry_stalled_jobs(worker)
            await resume_recompute(worker)
            await worker.run_worker_async(
                concurrency=concurrency,
                # Our own handlers (run) cancel the task: procrastinate's would stop the
                # worker in a way that looks like a failure here.
                install_signal_handlers=False,
                delete_jobs="successful",
                listen_notify=LISTEN_NOTIFY,
                fetch_job_polling_interval=POLL_SECONDS,
                update_heartbeat_interval=HEARTBEAT_SECONDS,
                stalled_worker_timeout=STALLED_WORKER_SECONDS,
                shutdown_graceful_timeout=10,
                name=name,
                wait=wait,
            )


# How long the stop function of `start_in_thread` waits: the jobs' graceful timeout (10 s) and
# the pool's timeout for the worker's unregistration, with room to spare.
STOP_SECONDS = 30.0


def start_in_thread(libpq_url: str, *, concurrency: int = 1) -> Callable[[], bool]:
    """A worker in a daemon thread with its own event loop; returns a function that stops it
    (running jobs get the graceful timeout), waits for the thread and says whether it ended."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: list[asyncio.Task[None]] = []

    def main() -> None:
        asyncio.set_event_loop(loop)
        task = loop.create_task(
            run(
                libpq_url, concurrency=concurrency, install_signal_handlers=False, name="in-process"
            )
        )
        holder.append(task)
        ready.set()
        try:
            loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("the in-process job worker stopped")
        finally:
            loop.close()

    thread = threading.Thread(target=main, name="job-worker", daemon=True)
    thread.start()
    ready.wait()

    def stop() -> bool:
        if thread.is_alive():
            loop.call_soon_threadsafe(holder[0].cancel)
            thread.join(timeout=STOP_SECONDS)
        if thread.is_alive():
            log.error("the in-process job worker did not stop within %.0f s", STOP_SECONDS)
            return False
        return True

    return stop
