"""The procrastinate app and every task the worker runs.

`app` has a connector that is never opened in the web process: jobs are deferred on a
connection we pass (mail/outbox.py), inside the transaction that writes what they work on.
The worker runs `app.with_connector(...)` with a pool of its own (worker.py)."""

from __future__ import annotations

import asyncio
import logging

import procrastinate
from procrastinate import JobContext, RetryStrategy, exceptions

from support_analytics.config import get_settings
from support_analytics.mail import transport
from support_analytics.mail.message import Mail

log = logging.getLogger(__name__)

app = procrastinate.App(connector=procrastinate.PsycopgConnector())

MAIL_QUEUE = "mail"
# Waits of 8, 14, 32, 86, 248, 734 and 2192 s: about an hour of SMTP outage is bridged
# before a mail job is left as failed (visible on /admin/jobs and /api/v1/jobs).
MAIL_RETRY = RetryStrategy(
    max_attempts=8, wait=5, exponential_wait=3, retry_exceptions={transport.MailNotSent}
)
FINISHED_JOBS_KEPT_HOURS = 24 * 30

_LOAD_MAIL = (
    "SELECT recipient, subject, body_text, body_html FROM mail_outbox WHERE id = %(mail_id)s"
)
_SENT_MAIL = "DELETE FROM mail_outbox WHERE id = %(mail_id)s"
_PRUNE_MAIL = "DELETE FROM mail_outbox WHERE created_at < now() - make_interval(hours => %(hours)s)"


@app.task(name="mail.send", queue=MAIL_QUEUE, retry=MAIL_RETRY, pass_context=True)
async def send_mail(context: JobContext, mail_id: int) -> None:
    """Send one queued mail and delete it (its body may hold a single-use link). A failed
    delivery raises MailNotSent and the job is retried; the row stays until then."""
    connector = context.app.connector
    rows = await connector.execute_query_all_async(query=_LOAD_MAIL, mail_id=mail_id)
    if not rows:
        log.warning("mail %s is no longer queued; nothing sent", mail_id)
        return
    row = rows[0]
    mail = Mail(
        to=str(row["recipient"]),
        subject=str(row["subject"]),
        text=str(row["body_text"]),
        html=str(row["body_html"]),
    )
    # smtplib blocks: off the worker's event loop.
    await asyncio.to_thread(transport.send, mail, get_settings())
    await connector.execute_query_async(query=_SENT_MAIL, mail_id=mail_id)


@app.periodic(cron="17 3 * * *", periodic_id="prune")
@app.task(name="jobs.prune", queue="maintenance", pass_context=True)
async def prune_finished_jobs(context: JobContext, timestamp: int) -> None:
    """Finished jobs older than 30 days go (their events with them), failed ones too, and so
    do mails that were never sent."""
    del timestamp
    await context.app.job_manager.delete_old_jobs(
        nb_hours=FINISHED_JOBS_KEPT_HOURS, include_failed=True, include_cancelled=True
    )
    await context.app.connector.execute_query_async(
        query=_PRUNE_MAIL, hours=FINISHED_JOBS_KEPT_HOURS
    )


# How long a worker may go without a heartbeat before it is taken for dead (killed, out of
# memory, its machine lost): a live worker beats every HEARTBEAT_SECONDS (procrastinate's
# default, set explicitly in worker.py), so this is six missed beats. The same value is the
# workers' `stalled_worker_timeout`, after which procrastinate deletes the dead worker's row
# (its jobs' worker_id becomes NULL, which the sweep below also takes for dead).
HEARTBEAT_SECONDS = 10.0
STALLED_WORKER_SECONDS = 60.0

# The retry of one stalled job, by procrastinate's own function (`JobManager.retry_job`
# runs it: back to `todo`, due now, attempts + 1, lock and queueing lock kept), made only
# while the job is still the run that was found stalled: locked, `doing`, under the same
# worker id. Between the look-up and the retry another sweep (a worker starting while the
# minute's sweep runs) may have retried it and a live worker fetched it again; retrying that
# run would let a second worker start it while the first still runs it.
_STALLED = """
WITH stalled AS MATERIALIZED (
    SELECT id FROM procrastinate_jobs
     WHERE id = %(job_id)s AND status = 'doing'
       AND worker_id IS NOT DISTINCT FROM %(worker_id)s
       FOR UPDATE)
SELECT id, {action} FROM stalled
"""
_RETRY_STALLED = _STALLED.format(action="procrastinate_retry_job_v2(id, now(), NULL, NULL, NULL)")
# A job whose queueing lock a waiting job holds (an alert evaluation queued by a data
# change) cannot go back to `todo`; the waiting one does the same work, so this run is
# recorded as failed (kept 30 days, visible on the admin page).
_FAIL_STALLED = _STALLED.format(action="procrastinate_finish_job_v1(id, 'failed', false)")


async def retry_stalled_jobs(worker: procrastinate.App) -> int:
    """Put back in the queue the jobs left `doing` by a worker that died: its heartbeat is
    older than STALLED_WORKER_SECONDS, or its row was pruned. A live worker's jobs are left
    alone however long they run. Returns how many were retried. Procrastinate never does this
    by itself; its documentation recommends this sweep (`get_stalled_jobs`, heartbeat-based)."""
    stalled = await worker.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=STALLED_WORKER_SECONDS
    )
    retried = 0
    for job in stalled:
        params = {"job_id": job.id, "worker_id": job.worker_id}
        try:
            rows = await worker.connector.execute_query_all_async(query=_RETRY_STALLED, **params)
        except exceptions.UniqueViolation:
            rows = await worker.connector.execute_query_all_async(query=_FAIL_STALLED, **params)
            if rows:
                log.warning(
                    "job %s (%s) stalled with its worker; an equal job waits: marked failed",
                    job.id,
                    job.task_name,
                )
            continue
        if rows:
            retried += 1
            log.warning(
                "job %s (%s) stalled with its worker %s: queued again",
                job.id,
                job.task_name,
                job.worker_id,
            )
    return retried


@app.periodic(cron="* * * * *", periodic_id="stalled")
@app.task(name="jobs.retry_stalled", queue="maintenance", pass_context=True)
async def retry_stalled(context: JobContext, timestamp: int) -> None:
    """Every minute: the jobs of dead workers go back to the queue (`retry_stalled_jobs`)."""
    del timestamp
    await retry_stalled_jobs(context.app)


# Tickets per transaction: each batch holds share locks on its tickets for about a second at
# this size, so ticket writes wait at most that long while a recompute runs.
SLA_RECOMPUTE_BATCH = 5000


@app.task(name="sla.recompute", queue="sla", lock="sla.recompute", pass_context=True)
async def recompute_sla(context: JobContext, request_id: int) -> None:
    """Recompute every ticket's SLA after a policy or calendar edit (queued by the edit's
    commit, migration 0014_sla_recompute), one batch per transaction with its progress in
    `sla_recompute`; stops when a later edit superseded the request."""
    connector = context.app.connector
    while True:
        row = await connector.execute_query_one_async(
            query="SELECT sla_recompute_batch(%(request_id)s, %(size)s) AS state",
            request_id=request_id,
            size=SLA_RECOMPUTE_BATCH,
        )
        if row["state"] != "more":
            return


# The unfinished request (an edit supersedes every older one, so there is one at most) whose
# job is gone: aborted when a worker stopped mid-recompute (after the grace period), failed,
# or deleted; procrastinate never runs an aborted job again. It is queued again the way the
# edit's commit queues it (migration 0014_sla_recompute): same queue, task and lock.
_REQUEUE_ORPHANED_RECOMPUTE = """
SELECT r.id, procrastinate_defer_jobs_v1(ARRAY[ROW(
         'sla', 'sla.recompute', 0, 'sla.recompute', NULL,
         jsonb_build_object('request_id', r.id), NULL)::procrastinate_job_to_defer_v1])
  FROM (SELECT id FROM sla_recompute r
         WHERE status IN ('queued', 'running')
           AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j
                            WHERE j.task_name = 'sla.recompute'
                              AND j.status IN ('todo', 'doing')
                              AND (j.args ->> 'request_id')::bigint = r.id)
         ORDER BY id DESC LIMIT 1) r
"""


async def resume_recompute(worker: procrastinate.App) -> None:
    """Queue again the SLA recompute a stopped worker left unfinished; its batches carry on
    from the last ticket done. Called by every worker as it starts (two at once may both
    queue it: the job's lock runs them one after the other, and the second finds it done)."""
    rows = await worker.connector.execute_query_all_async(query=_REQUEUE_ORPHANED_RECOMPUTE)
    for row in rows:
        log.warning("queued again the unfinished SLA recompute %s", row["id"])
