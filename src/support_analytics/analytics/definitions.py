"""Metric definitions shared by every implementation (SPEC section 2 and issue 5)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Float, cast, extract
from sqlalchemy.sql.elements import KeyedColumnElement

OPEN_STATUSES = ("open", "in_progress")
CLOSED_STATUSES = ("resolved", "closed")
SATISFIED_MIN_RATING = 4
PRIORITY_ORDER = ("low", "medium", "high", "urgent")
# Refunds are stored as negative `refunded` rows; failed and pending never count.
SPENT_STATUSES = ("completed", "refunded")


def hours_between(
    start: KeyedColumnElement[object] | ColumnElement[object],
    end: KeyedColumnElement[object] | ColumnElement[object],
) -> ColumnElement[float]:
    """(end - start) in hours, as a double (what percentile_cont works on)."""
    return cast(extract("epoch", end - start) / 3600, Float)
