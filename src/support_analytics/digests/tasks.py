"""The digest jobs. `digests.schedule` runs every quarter hour (procrastinate's periodic
defer runs each slot once however many workers run); it claims every due digest in
`digest_sends` and defers one `digests.send` per claim in the same transaction, so even two
schedulers running the same slot defer each digest once. `digests.send` computes the digest
under the recipient's own request role and mails it (retried like every mail).

Computing under the recipient's role is the request path itself (`mail.recipients`)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from procrastinate import JobContext

from support_analytics.analytics import rollups
from support_analytics.auth.preferences import user_zone
from support_analytics.config import get_settings
from support_analytics.db.engine import Database
from support_analytics.digests import content, links, schedule, subscriptions
from support_analytics.digests.render import Links, digest_mail
from support_analytics.jobs.tasks import MAIL_RETRY, app
from support_analytics.mail import transport
from support_analytics.mail.message import Mail
from support_analytics.mail.recipients import as_recipient, databases
from support_analytics.tenancy.scope import owner_transaction

log = logging.getLogger(__name__)


def schedule_due(owner: Database, now: datetime) -> int:
    """Claim and defer every digest due at `now`; returns how many this call claimed."""
    settings = get_settings()
    claimed = 0
    with owner_transaction(owner) as session:
        for recipient in subscriptions.active_subscriptions(session):
            sub = recipient.subscription
            zone = user_zone(recipient.timezone, settings.reporting_timezone)
            period = schedule.due_period(sub.frequency, sub.local_hour, sub.weekday, zone, now)
            if period is not None and subscriptions.claim_and_defer(session, sub.id, period):
                claimed += 1
    return claimed


def build_digest_mail(
    owner: Database, requests: Database, subscription_id: int, start: str, end: str
) -> Mail | None:
    """The mail for one claimed digest, computed under the recipient's role (None when the
    subscription or its user is gone or disabled)."""
    settings = get_settings()
    period = subscriptions.period_of(start, end)
    with owner_transaction(owner) as session:
        recipient = subscriptions.recipient(session, subscription_id)
        if recipient is None:
            return None
        sub = recipient.subscription
        unsubscribe = links.unsubscribe_url(session, settings.link_base_url(), sub.id, sub.user_id)
    reporting = ZoneInfo(settings.reporting_timezone)
    internal = recipient.kind == "internal"
    with as_recipient(owner, requests, sub.user_id) as scope:
        if scope.principal is None:
            return None
        fast = rollups.usable(scope.session, reporting) if internal else False
        digest = content.compute(
            scope.session,
            sub.filters(period),
            period,
            reporting,
            internal=internal,
            use_rollups=fast,
        )
    return digest_mail(
        digest,
        to=recipient.email,
        frequency=sub.frequency,
        zone=user_zone(recipient.timezone, settings.reporting_timezone),
        links=Links(base_url=settings.link_base_url(), unsubscribe=unsubscribe, internal=internal),
    )


@app.periodic(cron=schedule.SCHEDULER_CRON, periodic_id="digests")
@app.task(name="digests.schedule", queue="digests", pass_context=True)
async def schedule_digests(context: JobContext, timestamp: int) -> None:
    """Claim the digests due at this slot's time (not the time the job happens to run)."""
    owner, _ = databases(context, get_settings())
    now = datetime.fromtimestamp(timestamp, UTC)
    claimed = await asyncio.to_thread(schedule_due, owner, now)
    if claimed:
        log.info("%s digest(s) due at %s", claimed, now.isoformat())


@app.task(
    name=subscriptions.SEND_TASK,
    queue=subscriptions.SEND_QUEUE,
    retry=MAIL_RETRY,
    pass_context=True,
)
async def send_digest(context: JobContext, subscription_id: int, start: str, end: str) -> None:
    settings = get_settings()
    owner, requests = databases(context, settings)
    mail = await asyncio.to_thread(build_digest_mail, owner, requests, subscription_id, start, end)
    if mail is None:
        log.info("digest %s for %s: subscription gone, nothing sent", subscription_id, start)
        return
    await asyncio.to_thread(transport.send, mail, settings)
