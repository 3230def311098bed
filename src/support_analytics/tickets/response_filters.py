"""Ticket list filters on responsiveness, so every number of the Responsiveness view clicks
through to exactly its tickets (same definitions as `analytics.responsiveness`):

    awaiting        first_reply: open or in progress with no reply yet
                    reply: open or in progress, the latest message from the client
    first_response  first response time in hours, LOW..HIGH (LOW <= FRT < HIGH) or LOW..
                    (e.g. 0..0.25, 0.5..1, 168..); tickets without a reply never match
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, select

from support_analytics.analytics.definitions import OPEN_STATUSES
from support_analytics.db.models import Ticket
from support_analytics.db.tables import ticket_response_facts
from support_analytics.filters.grammar import InvalidFilter

Awaiting = Literal["first_reply", "reply"]
AWAITING: tuple[Awaiting, ...] = ("first_reply", "reply")
AWAITING_FORMS = "first_reply (no reply yet) or reply (the client wrote last), open tickets only"
FIRST_RESPONSE_FORMS = (
    "first response time in hours, LOW..HIGH (LOW <= FRT < HIGH) or LOW.. (e.g. 0.5..1, 168..)"
)


@dataclass(frozen=True)
class FrtRange:
    low: float
    high: float | None = None

    def format(self) -> str:
        return f"{self.low:g}..{'' if self.high is None else f'{self.high:g}'}"

    def phrase(self) -> str:
        if self.high is None:
            return f"first response {self.low:g} h or later"
        return f"first response from {self.low:g} h to under {self.high:g} h"


def parse_awaiting(raw: str) -> Awaiting:
    value = raw.strip()
    for known in AWAITING:
        if value == known:
            return known
    raise InvalidFilter("awaiting", f"{value!r} is not a known value", AWAITING_FORMS)


def _hours(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0 or value > 1e6:
        raise ValueError(text)
    return value


def parse_first_response(raw: str) -> FrtRange:
    low_text, dots, high_text = raw.strip().partition("..")
    try:
        if not dots:
            raise ValueError(raw)
        low = _hours(low_text)
        high = _hours(high_text) if high_text else None
    except ValueError:
        raise InvalidFilter(
            "first_response", f"{raw!r} is not a range of hours", FIRST_RESPONSE_FORMS
        ) from None
    if high is not None and high <= low:
        raise InvalidFilter("first_response", "HIGH must be greater than LOW", FIRST_RESPONSE_FORMS)
    return FrtRange(low, high)


def awaiting_phrase(awaiting: Awaiting) -> str:
    return "awaiting a first reply" if awaiting == "first_reply" else "awaiting a reply"


def response_clauses(
    awaiting: Awaiting | None, first_response: FrtRange | None
) -> list[ColumnElement[bool]]:
    f = ticket_response_facts.c
    clauses: list[ColumnElement[bool]] = []
    if awaiting is not None:
        waiting = f.replies == 0 if awaiting == "first_reply" else f.last_from_client.is_(True)
        clauses.append(Ticket.status.in_(OPEN_STATUSES))
        clauses.append(Ticket.id.in_(select(f.ticket_id).where(waiting)))
    if first_response is not None:
        wanted = [f.frt_hours >= first_response.low]
        if first_response.high is not None:
            wanted.append(f.frt_hours < first_response.high)
        clauses.append(Ticket.id.in_(select(f.ticket_id).where(*wanted)))
    return clauses
