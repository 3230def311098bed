"""Metric definitions shared by every implementation (SPEC section 2 and issue 5)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Float, cast, extract
from sqlalchemy.sql.elements import KeyedColumnElement

# The ticket vocabulary has one home (tickets/status.py); analytics names it here too.
from support_analytics.tickets.status import CLOSED_STATUSES, OPEN_STATUSES
from support_analytics.tickets.status import PRIORITIES as PRIORITY_ORDER

__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "PRIORITY_ORDER",
    "SATISFIED_MIN_RATING",
    "SPENT_STATUSES",
    "hours_between",
]

SATISFIED_MIN_RATING = 4
# Refunds are stored as negative `refunded` rows; failed and pending never count.
SPENT_STATUSES = ("completed", "refunded")


def hours_between(
    start: KeyedColumnElement[object] | ColumnElement[object],
    end: KeyedColumnElement[object] | ColumnElement[object],
) -> ColumnElement[float]:
    """(end - start) in hours, as a double (what percentile_cont works on)."""
    return cast(extract("epoch", end - start) / 3600, Float)
