"""A ticket's SLA and waiting time as a list shows them (inbox rows, portal promise): words
first, so colour only repeats what the text says, and spans of time to the minute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
