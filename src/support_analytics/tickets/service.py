"""Ticket writes: create, reply, feedback, update. Each runs in the request's transaction
(the caller's DbSession, so RLS checks every row it touches) and only flushes; the request
commits or rolls back as a whole.

Python checks the rules first to give precise errors (404 / 409 / 422); the database policies
are the second, independent layer that holds even if a check here were wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from support_analytics.db.models import (
    TeamMember,
    Ticket,
    TicketFeedback,
    TicketMessage,
    TicketType,
)
from support_analytics.errors import Conflict, Forbidden, InvalidInput, NotFound
from support_analytics.tickets import submissions
from support_analytics.tickets.schemas import (
    FeedbackCreate,
    MessageCreate,
    TicketBulkUpdate,
    TicketCreate,
    TicketUpdate,
)
from support_analytics.tickets.status import (
    FEEDBACK_STATUSES,
    Status,
    Timestamps,
    TransitionError,
    parse_status,
    transition,
)

NOT_FOUND = "Ticket not found"


class Actor(Protocol):
    """What the service needs to know about the caller (auth's Principal satisfies it)."""

    @property
    def kind(self) -> Literal["internal", "client"]: ...
    @property
    def client_id(self) -> int | None: ...
    @property
    def team_member_id(self) -> int | None: ...


@dataclass(frozen=True)
class Created:
    ticket_id: int
    replayed: bool


def _now(session: Session) -> datetime:
    # The transaction's own clock, so every row a request writes carries one instant.
    return session.execute(select(func.now())).scalar_one()


def _lock_visible(session: Session, ticket_id: int) -> Ticket:
    """The ticket, row-locked, if RLS lets the caller see it; otherwise 404 with no hint."""
    if not 1 <= ticket_id <= 2_147_483_647:
        raise NotFound(NOT_FOUND)
    ticket = session.execute(
        select(Ticket).where(Ticket.id == ticket_id).with_for_update()
    ).scalar_one_or_none()
    if ticket is None:
        raise NotFound(NOT_FOUND)
    return ticket


def _visible(session: Session, ticket_id: int) -> Ticket:
    if not 1 <= ticket_id <= 2_147_483_647:
        raise NotFound(NOT_FOUND)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(NOT_FOUND)
    return ticket


def _require_client(actor: Actor) -> int:
    if actor.kind != "client" or actor.client_id is None:
        raise Forbidden("Only client users can do this")
    return actor.client_id


def create_ticket(
    session: Session, actor: Actor, data: TicketCreate, *, token: str | None = None
) -> Created:
    """A new `open`, unassigned ticket for the caller's own client with its first message.
    The same `token` twice (a double-submitted form, a retried request) yields one ticket."""
    client_id = _require_client(actor)
    if token is not None:
        existing = submissions.claim(session, client_id, token)
        if existing is not None:
            return Created(ticket_id=existing, replayed=True)
    if session.get(TicketType, data.ticket_type_id) is None:
        raise InvalidInput("Choose one of the listed ticket types", field="ticket_type_id")
    ticket_id = session.execute(
        insert(Ticket)
        .values(
            client_id=client_id,
            ticket_type_id=data.ticket_type_id,
            priority=data.priority.value,
            title=data.title,
            status=Status.OPEN.value,
            assigned_to=None,
        )
        .returning(Ticket.id)
    ).scalar_one()
    session.execute(
        insert(TicketMessage).values(
            ticket_id=ticket_id, from_client=True, message_text=data.message
        )
    )
    if token is not None:
        submissions.record(session, client_id, token, ticket_id)
    return Created(ticket_id=ticket_id, replayed=False)


def add_message(session: Session, actor: Actor, ticket_id: int, data: MessageCreate) -> int:
    """A reply on a visible ticket: from the client, or from the signed-in team member."""
    _visible(session, ticket_id)
    if actor.kind == "internal" and actor.team_member_id is None:
        raise Forbidden("Your account is not linked to a team member, so it cannot reply")
    from_client = actor.kind == "client"
    return session.execute(
        insert(TicketMessage)
        .values(
            ticket_id=ticket_id,
            from_client=from_client,
            from_team_member_id=None if from_client else actor.team_member_id,
            message_text=data.text,
        )
        .returning(TicketMessage.id)
    ).scalar_one()


def add_feedback(session: Session, actor: Actor, ticket_id: int, data: FeedbackCreate) -> None:
    """One rating per ticket, by its client, once the ticket is resolved or closed."""
    _require_client(actor)
    # No row lock: clients may not UPDATE tickets, and FOR UPDATE needs that privilege. The
    # unique ticket_id makes a second feedback fail anyway, and the insert policy re-checks
    # the status inside PostgreSQL.
    ticket = _visible(session, ticket_id)
    if parse_status(ticket.status) not in FEEDBACK_STATUSES:
        raise Conflict("Feedback opens once the ticket is resolved")
    written = session.execute(
        pg_insert(TicketFeedback)
        .values(ticket_id=ticket_id, rating=data.rating, feedback_text=data.text or None)
        .on_conflict_do_nothing(index_elements=[TicketFeedback.ticket_id])
        .returning(TicketFeedback.id)
    ).first()
    if written is None:
        raise Conflict("Feedback was already given for this ticket")


def update_ticket(session: Session, actor: Actor, ticket_id: int, data: TicketUpdate) -> None:
    """Status, priority and assignee, by internal users only. Status moves follow
    `status.TRANSITIONS` and carry `resolved_at` / `closed_at` along."""
    if actor.kind != "internal":
        # Clients see their tickets, so 404 would be a lie here; they just may not change them.
        _visible(session, ticket_id)
        raise Forbidden("Only the support team can change status, priority or assignee")
    _apply(session, _lock_visible(session, ticket_id), data, _now(session))
    session.flush()


def _apply(session: Session, ticket: Ticket, data: TicketUpdate, now: datetime) -> None:
    """One update's changes on a row the caller has locked: the single and the bulk path."""
    changes = data.model_fields_set
    if "status" in changes and data.status is not None:
        current = parse_status(ticket.status)
        try:
            stamps = transition(
                current, data.status, Timestamps(ticket.resolved_at, ticket.closed_at), now
            )
        except TransitionError as exc:
            raise Conflict(str(exc).capitalize()) from exc
        if data.status != current or ticket.status is None:
            ticket.status = data.status.value
            ticket.resolved_at = stamps.resolved_at
            ticket.closed_at = stamps.closed_at
    if "priority" in changes and data.priority is not None:
        ticket.priority = data.priority.value
    if "assigned_to" in changes:
        if data.assigned_to is not None and session.get(TeamMember, data.assigned_to) is None:
            raise InvalidInput("Choose one of the listed team members", field="assigned_to")
        ticket.assigned_to = data.assigned_to


def update_tickets(session: Session, actor: Actor, data: TicketBulkUpdate) -> list[int]:
    """`update_ticket`'s rules for each id, all in the caller's one transaction: the first id
    (by position) that is invisible or cannot take the change raises, naming its position in
    `ids` rather than its value, and the request rolls everything back. Returns the distinct
    ids, in the order given."""
    if actor.kind != "internal":
        raise Forbidden("Only the support team can change status or assignee")
    change = data.change()
    if not change.model_fields_set:
        raise InvalidInput("status: give a status or an assigned_to to apply", field="status")
    position: dict[int, int] = {}
    for index, ticket_id in enumerate(data.ids):
        position.setdefault(ticket_id, index)
    # One statement locks every row, in ascending id order (the sort runs below the lock),
    # so two overlapping bulk changes queue behind each other instead of deadlocking. RLS
    # filters it exactly as the single update's lock.
    locked = {
        t.id: t
        for t in session.execute(
            select(Ticket).where(Ticket.id.in_(position)).order_by(Ticket.id).with_for_update()
        ).scalars()
    }
    now = _now(session)
    for ticket_id, index in position.items():
        ticket = locked.get(ticket_id)
        if ticket is None:
            raise NotFound(f"ids[{index}]: {NOT_FOUND}")
        try:
            _apply(session, ticket, change, now)
        except Conflict as exc:
            raise Conflict(f"ids[{index}]: {exc.message}") from exc
    session.flush()
    return list(position)
