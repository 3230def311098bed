"""The ticket vocabulary, defined here and nowhere else: statuses, priorities, the open and
closed status groups, which moves between statuses are allowed, and what each move does to
`resolved_at` / `closed_at`. Python imports it; templates and scripts receive it from the server
(`vocabulary()` is a Jinja global); tests/tickets/test_vocabulary.py checks the database's CHECK
constraints and partial-index predicates against it.

The timestamps follow the status, never the other way round: an open ticket has neither, a
resolved one has `resolved_at`, a closed one has both (closing an unresolved ticket resolves it
in the same instant, so resolution-time analytics count it). Reopening clears both, because a
reopened ticket is unresolved work again and must not count as resolved anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# In workflow order (lists, filters and sort keys follow it); StrEnum members bind as their text.
STATUSES: tuple[Status, ...] = tuple(Status)
PRIORITIES: tuple[Priority, ...] = tuple(Priority)
OPEN_STATUSES: tuple[Status, ...] = (Status.OPEN, Status.IN_PROGRESS)
CLOSED_STATUSES: tuple[Status, ...] = (Status.RESOLVED, Status.CLOSED)
FEEDBACK_STATUSES = CLOSED_STATUSES
# The groups as a `status=` value of the ticket lists (`/tickets`, `/portal`).
OPEN_GROUP = ",".join(OPEN_STATUSES)
CLOSED_GROUP = ",".join(CLOSED_STATUSES)

# A closed ticket goes back to work only through a reopen; it is never "un-closed" to resolved,
# since that would invent a resolution instant after the fact.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.OPEN, Status.IN_PROGRESS}),
}


class TransitionError(ValueError):
    """A move the workflow does not allow (e.g. closed -> resolved)."""


def parse_status(value: str | None) -> Status:
    """Rows written by other tools may carry NULL or an unknown status: treat them as open,
    which is what the column default says."""
    try:
        return Status(value) if value else Status.OPEN
    except ValueError:
        return Status.OPEN


def is_reopen(current: Status, target: Status) -> bool:
    return current in CLOSED_STATUSES and target in OPEN_STATUSES


@dataclass(frozen=True)
class Timestamps:
    resolved_at: datetime | None
    closed_at: datetime | None


def transition(current: Status, target: Status, stamps: Timestamps, now: datetime) -> Timestamps:
    """The timestamps after moving `current` -> `target` at `now`. Staying put is allowed and
    changes nothing; anything not in TRANSITIONS raises TransitionError."""
    if target == current:
        return stamps
    if target not in TRANSITIONS[current]:
        raise TransitionError(
            f"a {current.label.lower()} ticket cannot move to {target.label.lower()}"
            + ("; reopen it first" if current == Status.CLOSED else "")
        )
    if target in OPEN_STATUSES:
        return Timestamps(resolved_at=None, closed_at=None)
    if target == Status.RESOLVED:
        return Timestamps(resolved_at=now, closed_at=None)
    return Timestamps(resolved_at=stamps.resolved_at or now, closed_at=now)


def consistent(status: Status, stamps: Timestamps) -> bool:
    """The invariant every write keeps (checked by tests over random walks)."""
    if status in OPEN_STATUSES:
        return stamps.resolved_at is None and stamps.closed_at is None
    if status == Status.RESOLVED:
        return stamps.resolved_at is not None and stamps.closed_at is None
    return (
        stamps.resolved_at is not None
        and stamps.closed_at is not None
        and stamps.resolved_at <= stamps.closed_at
    )


def vocabulary() -> dict[str, object]:
    """The vocabulary as plain values for templates and the pages' scripts."""
    return {
        "statuses": [s.value for s in STATUSES],
        "priorities": [p.value for p in PRIORITIES],
        "open": [s.value for s in OPEN_STATUSES],
        "closed": [s.value for s in CLOSED_STATUSES],
        "open_group": OPEN_GROUP,
        "closed_group": CLOSED_GROUP,
        "status_labels": {s.value: s.label for s in STATUSES},
        "priority_labels": {p.value: p.label for p in PRIORITIES},
    }
