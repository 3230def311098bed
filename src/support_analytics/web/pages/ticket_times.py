"""A ticket's SLA and waiting time as a list shows them (inbox rows, portal promise): words
first, so colour only repeats what the text says, and spans of time to the minute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from support_analytics.sla.portal import Promise
from support_analytics.tickets.queries import TicketRow


def span(seconds: float) -> str:
    """A length of time as people say it, to the minute: "2 d 3 h", "3 h 5 min", "42 min"."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under a minute"


SLA_LABELS = {"pending": "On track", "at_risk": "At risk", "breached": "Breached", "met": "Met"}


@dataclass(frozen=True)
class DueCell:
    """A ticket's SLA in a list: the state in words (the colour only repeats it) and the
    countdown to the next due time, or how long ago it passed."""

    state: str | None
    label: str
    countdown: str | None
    due_at: datetime | None


def due_cell(row: TicketRow, as_of: datetime) -> DueCell:
    state = row.sla_state
    label = SLA_LABELS.get(state or "", "No target")
    if row.sla_due_at is None:
        return DueCell(state, label, None, None)
    left = (row.sla_due_at - as_of).total_seconds()
    countdown = f"due in {span(left)}" if left >= 0 else f"overdue by {span(left)}"
    return DueCell(state, label, countdown, row.sla_due_at)


def since(value: datetime | None, as_of: datetime) -> str | None:
    """ "3 h 5 min ago" (None for no time)."""
    if value is None:
        return None
    return f"{span(max(0.0, (as_of - value).total_seconds()))} ago"


def target_phrase(hours: Decimal, basis: str) -> str:
    """ "4 business hours", "1 hour", "0.5 hours"."""
    number = f"{hours.normalize():f}"
    unit = "hour" if hours == 1 else "hours"
    return f"{number} business {unit}" if basis == "business" else f"{number} {unit}"


@dataclass(frozen=True)
class PromiseView:
    """One target on the portal's ticket page: what we aim for, and how it went so far
    (`outcome`, followed by `due_at` when `shows_due`)."""

    target: str
    state: str
    label: str
    """The state in words (the colour repeats it)."""
    aim: str
    short: str
    """The aim in a list cell: "Reply within 4 hours"."""
    outcome: str
    due_at: datetime | None
    shows_due: bool


PROMISE_LABELS = {"met": "Met", "breached": "Missed", "pending": "In progress"}
_AIMS = {"first_response": "We aim to reply within", "resolution": "We aim to resolve it within"}


def promise_view(promise: Promise, created_at: datetime | None) -> PromiseView:
    phrase = target_phrase(promise.hours, promise.basis)
    aim = f"{_AIMS[promise.target]} {phrase}."
    reply = promise.target == "first_response"
    took = (
        span(max(0.0, (promise.done_at - created_at).total_seconds()))
        if promise.done_at is not None and created_at is not None
        else None
    )
    shows_due = False
    if promise.state == "met":
        outcome = (
            (f"Answered in {took}: on time." if reply else "Resolved on time.") if took else "Met."
        )
    elif promise.state == "breached" and promise.done_at is not None:
        outcome = (
            f"Answered in {took}: later than we aim for."
            if reply and took
            else ("Resolved later than we aim for.")
        )
    elif promise.state == "breached":
        outcome, shows_due = (
            ("Our reply is late; it was due" if reply else "Resolution is late; it was due"),
            True,
        )
    else:
        outcome, shows_due = ("Expect a reply by" if reply else "Expected resolution by"), True
    return PromiseView(
        target=promise.target,
        state=promise.state,
        label=PROMISE_LABELS[promise.state],
        aim=aim,
        short=f"{'Reply' if reply else 'Resolution'} within {phrase}",
        outcome=outcome,
        due_at=promise.due_at,
        shows_due=shows_due and promise.due_at is not None,
    )
