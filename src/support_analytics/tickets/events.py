"""The activity log (`ticket_events`, migration 0007): a ticket's timeline for its page and the
API, and the set-based backfill the loaders run after a bulk load.

Rows are written by database triggers only; this module only reads them, through the
request's session, so RLS decides (a client sees events of its own tickets). Actors are
stored by name (a team member's public username, a client user's display name), never by
email.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from support_analytics.db.models import Ticket
from support_analytics.db.tables import ticket_events
from support_analytics.errors import NotFound
from support_analytics.people import display_name

EventKind = Literal[
    "created", "status", "priority", "assignee", "reply", "client_message", "feedback"
]


class EventOut(BaseModel):
    """One line of a ticket's timeline. `actor_kind`/`actor_name` are NULL for loads and
    migrations (the reference data's history starts with its load)."""

    id: int
    kind: EventKind
    old_value: str | None
    new_value: str | None
    actor_kind: Literal["internal", "client"] | None
    actor_name: str | None
    created_at: datetime


def timeline(session: Session, ticket_id: int) -> list[EventOut]:
    """The ticket's events, oldest first (empty when RLS hides the ticket)."""
    e = ticket_events.c
    rows = session.execute(
        select(e.id, e.kind, e.old_value, e.new_value, e.actor_kind, e.actor_name, e.created_at)
        .where(e.ticket_id == ticket_id)
        .order_by(e.created_at, e.id)
    )
    return [
        EventOut(
            id=r.id,
            kind=r.kind,
            old_value=r.old_value,
            new_value=r.new_value,
            actor_kind=r.actor_kind,
            # The log stores the username; people are shown by name everywhere.
            actor_name=display_name(r.actor_name)
            if r.actor_kind == "internal" and r.actor_name
            else r.actor_name,
            created_at=r.created_at,
        )
        for r in rows
    ]


FOLLOW_UP_STATUSES = ("closed",)
TITLE_MAX = 255  # tickets.title is varchar(255)


def follow_up_values(session: Session, ticket_id: int) -> dict[str, str]:
    """The new-ticket form filled in to follow up a closed ticket of the caller's (a client
    message on a closed ticket does not reopen it); 404 for any other id, as for a ticket of
    another client."""
    ticket = session.execute(
        select(
            Ticket.id, Ticket.title, Ticket.ticket_type_id, Ticket.priority, Ticket.status
        ).where(Ticket.id == ticket_id)
    ).first()
    if ticket is None or ticket.status not in FOLLOW_UP_STATUSES:
        raise NotFound("Ticket not found")
    title = f"Follow-up to #{ticket.id}: {ticket.title}"
    return {
        "title": title[:TITLE_MAX],
        "ticket_type_id": str(ticket.ticket_type_id),
        "priority": ticket.priority or "medium",
        "message": f"Follow-up to ticket #{ticket.id} ({ticket.title}), which is closed.\n\n",
    }


class Executes(Protocol):
    def execute(self, query: str) -> object: ...


def backfill(conn: Executes) -> None:
    """After a bulk load (which TRUNCATEs tickets first, so the triggers stood aside): one
    "created" event per ticket, one "resolved" where `resolved_at` is set, and the response
    facts, each in one statement. Does nothing when no load is pending."""
    conn.execute("SELECT ticket_events_backfill()")
