"""Client notifications: one mail per agent reply or resolution of a ticket, to each client
user of that ticket's company who has not opted out (`user_preferences`).

The database defers `notify.ticket_event` when such an event is written (migration 0013's
trigger on `ticket_events`: an internal actor, a reply or a move to resolved). This job
reads the ticket as each recipient (`mail.recipients.as_recipient`: their own role, RLS), so
a mail says only what that user's portal shows: the ticket's title and status and the
agent's reply. Each (event, user) is recorded in `client_notification_sends` in the same
transaction that queues the mail, so a retried or duplicated job mails nobody twice."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from procrastinate import JobContext
from sqlalchemy import text

from support_analytics.auth.preferences import user_zone
from support_analytics.config import get_settings
from support_analytics.dates import moment_text
from support_analytics.db.engine import Database
from support_analytics.jobs.tasks import MAIL_QUEUE, MAIL_RETRY, app
from support_analytics.mail.message import Mail, render
from support_analytics.mail.outbox import queue_mail
from support_analytics.mail.recipients import as_recipient, databases
from support_analytics.tenancy.scope import owner_transaction
from support_analytics.tickets.queries import get_ticket

log = logging.getLogger(__name__)
EXCERPT_CHARS = 2000


@dataclass(frozen=True)
class Event:
    id: int
    ticket_id: int
    kind: str  # "reply" or "resolved"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    timezone: str | None


_EVENT = """
SELECT e.id, e.ticket_id, e.kind, e.new_value, t.client_id
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.id = :id AND e.actor_kind = 'internal'
  AND (e.kind = 'reply' OR (e.kind = 'status' AND e.new_value = 'resolved'))
"""

_RECIPIENTS = """
SELECT u.id, u.email, p.timezone
FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id
WHERE u.kind = 'client' AND u.status = 'active' AND u.client_id = :client
  AND CASE WHEN :kind = 'reply' THEN coalesce(p.notify_ticket_replies, true)
           ELSE coalesce(p.notify_ticket_resolved, true) END
  AND NOT EXISTS (SELECT 1 FROM client_notification_sends s
                  WHERE s.event_id = :event AND s.user_id = u.id)
ORDER BY u.id
"""


def pending(owner: Database, event_id: int) -> tuple[Event | None, list[Recipient]]:
    with owner_transaction(owner) as session:
        row = session.execute(text(_EVENT), {"id": event_id}).first()
        if row is None:
            return None, []
        event = Event(
            id=int(row.id),
            ticket_id=int(row.ticket_id),
            kind="reply" if row.kind == "reply" else "resolved",
        )
        rows = session.execute(
            text(_RECIPIENTS), {"client": row.client_id, "kind": event.kind, "event": event.id}
        ).all()
    return event, [Recipient(int(r.id), str(r.email), r.timezone) for r in rows]


def event_mail(
    owner: Database, requests: Database, event: Event, recipient: Recipient
) -> Mail | None:
    """Rendered from what `recipient` can read (None when the ticket is not theirs to see)."""
    settings = get_settings()
    with as_recipient(owner, requests, recipient.user_id) as scope:
        if scope.principal is None:
            return None
        detail = get_ticket(scope.session, event.ticket_id)
    if detail is None:
        return None
    replies = [m for m in detail.messages if not m.from_client]
    reply = replies[-1] if event.kind == "reply" and replies else None
    zone = user_zone(recipient.timezone, settings.reporting_timezone)
    ticket = detail.ticket
    subject = (
        f"New reply on your ticket #{ticket.id}: {ticket.title}"
        if event.kind == "reply"
        else f"Your ticket #{ticket.id} is resolved: {ticket.title}"
    )
    base = settings.link_base_url().rstrip("/")
    return render(
        "ticket_event",
        to=recipient.email,
        subject=subject,
        context={
            "kind": event.kind,
            "ticket_id": ticket.id,
            "title": ticket.title,
            "author": (reply.author_name if reply else None) or "Support",
            "reply": (reply.text[:EXCERPT_CHARS] if reply else ""),
            "when": moment_text(reply.created_at.astimezone(zone))
            if reply and reply.created_at
            else "",
            "ticket_url": f"{base}/portal/tickets/{ticket.id}",
            "settings_url": f"{base}/account/settings",
        },
    )


def record_and_queue(owner: Database, event: Event, recipient: Recipient, mail: Mail) -> bool:
    """One mail per (event, user): the log row and the queued mail commit together."""
    with owner_transaction(owner) as session:
        first = session.execute(
            text(
                "INSERT INTO client_notification_sends (event_id, user_id) VALUES (:e, :u)"
                " ON CONFLICT DO NOTHING RETURNING event_id"
            ),
            {"e": event.id, "u": recipient.user_id},
        ).first()
        if first is None:
            return False
        queue_mail(session.connection(), mail)
        return True


def notify(owner: Database, requests: Database, event_id: int) -> int:
    event, recipients = pending(owner, event_id)
    queued = 0
    if event is None:
        return queued
    for recipient in recipients:
        mail = event_mail(owner, requests, event, recipient)
        if mail is not None and record_and_queue(owner, event, recipient, mail):
            queued += 1
    return queued


@app.task(name="notify.ticket_event", queue=MAIL_QUEUE, retry=MAIL_RETRY, pass_context=True)
async def notify_ticket_event(context: JobContext, event_id: int) -> None:
    owner, requests = databases(context, get_settings())
    queued = await asyncio.to_thread(notify, owner, requests, event_id)
    log.info("ticket event %s: %s client notification(s) queued", event_id, queued)
