"""When rules are evaluated: every minute (a periodic job, one per slot however many workers
run) and shortly after data changes (the worker LISTENs on the live channel and, half a
second after a ticket, message or feedback event, queues one evaluation; while one is
already waiting, more events add nothing). Both run `evaluate.evaluate` in the worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from zoneinfo import ZoneInfo

import procrastinate
import psycopg
from procrastinate import JobContext
from procrastinate.exceptions import AlreadyEnqueued
from psycopg import sql

from support_analytics.alerts import delivery, evaluate
from support_analytics.config import get_settings
from support_analytics.db.engine import normalise_url
from support_analytics.jobs.tasks import app
from support_analytics.live.channels import CHANNEL, parse
from support_analytics.live.listener import listen_conninfo
from support_analytics.mail import recipients

log = logging.getLogger(__name__)

QUEUE = delivery.WEBHOOK_QUEUE
EVALUATE_LOCK = "alerts.evaluate"
DEBOUNCE_SECONDS = 0.5
# The data-change events worth an evaluation (the alerts' own notifications are not).
TRIGGERS = frozenset({"ticket", "message", "feedback", "bulk"})


@app.periodic(cron="* * * * *", periodic_id="alerts")
@app.task(name="alerts.evaluate", queue=QUEUE, pass_context=True)
async def evaluate_rules(context: JobContext, timestamp: int) -> None:
    """Evaluate every rule (`timestamp` is the schedule slot; 0 when a data change queued it)."""
    del timestamp
    settings = get_settings()
    owner, requests = recipients.databases(context, settings)
    await asyncio.to_thread(
        evaluate.evaluate,
        owner,
        requests,
        ZoneInfo(settings.reporting_timezone),
        settings.link_base_url(),
    )


async def defer_evaluation(worker: procrastinate.App) -> None:
    """Queue one evaluation on `worker`'s connection, unless one is already waiting."""
    deferrer = worker.configure_task(evaluate_rules.name, queueing_lock=EVALUATE_LOCK)
    with contextlib.suppress(AlreadyEnqueued):
        await deferrer.defer_async(timestamp=0)


async def _listen(conninfo: str, changed: asyncio.Event) -> None:
    delay = 0.5
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                row = await (await conn.execute("SELECT name FROM live_channel")).fetchone()
                channel = str(row[0]) if row else CHANNEL
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                delay = 0.5
                async for notify in conn.notifies():
                    event = parse(notify.payload)
                    if event is not None and event.kind in TRIGGERS:
                        changed.set()
        except (psycopg.Error, OSError) as exc:
            log.warning("alerts listener lost its connection (%s); retrying in %.1fs", exc, delay)
            # Writes while we were away were not seen: the next run covers them.
            changed.set()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)


async def _debounce(worker: procrastinate.App, changed: asyncio.Event) -> None:
    while True:
        await changed.wait()
        await asyncio.sleep(DEBOUNCE_SECONDS)
        changed.clear()
        try:
            await defer_evaluation(worker)
        except Exception:
            log.exception("could not queue an alert evaluation")


@asynccontextmanager
async def running(worker_url: str, worker: procrastinate.App) -> AsyncIterator[None]:
    """For a worker's lifetime: the data-change trigger."""
    url = normalise_url(worker_url)
    changed = asyncio.Event()
    conninfo = listen_conninfo(get_settings().listen_url, url)
    tasks = [
        asyncio.create_task(_listen(conninfo, changed), name="alerts-listen"),
        asyncio.create_task(_debounce(worker, changed), name="alerts-debounce"),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
