"""The ticket list's filters beyond the analytics filter bar: the rating a ticket was given and
the day it was resolved. With them the dashboard's CSAT card and its "resolved" series click
through to exactly their tickets, and an agent can list, say, last week's unhappy tickets.

    rating    any | none | 1-5 comma-separated, optionally with none   (4,5  1,2,none)
    resolved  the date grammar (on:D, between:D,D, ...) over resolved_at in the reporting zone

and `awaiting` / `first_response` (tickets/response_filters.py) for the Responsiveness view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Query
from sqlalchemy import ColumnElement, exists, or_, select

from support_analytics.app_settings import ReportingZone
from support_analytics.db.models import Ticket, TicketFeedback
from support_analytics.filters.grammar import (
    DATE_EXAMPLES,
    DATE_FORMS,
    DATE_PATTERN,
    FILTER_MAX,
    DateFilter,
    InvalidFilter,
    parse_date,
)
from support_analytics.filters.params import reporting_today
from support_analytics.filters.sql import date_clauses
from support_analytics.tickets.response_filters import (
    AWAITING_FORMS,
    FIRST_RESPONSE_FORMS,
    Awaiting,
    FrtRange,
    parse_awaiting,
    parse_first_response,
    response_clauses,
)

RATINGS = (1, 2, 3, 4, 5)
ANY = "any"
NONE = "none"
RATING_FORMS = (
    "any (rated), none (not rated), or ratings 1-5 comma-separated, optionally with none "
    "(e.g. 4,5 or 1,2,none)"
)


@dataclass(frozen=True)
class RatingFilter:
    """Tickets whose feedback has one of `ratings`, or (`unrated`) that have no rating at all:
    no feedback, or feedback left without stars."""

    ratings: frozenset[int]
    unrated: bool = False

    def format(self) -> str:
        if self.ratings == frozenset(RATINGS) and not self.unrated:
            return ANY
        parts = [str(r) for r in sorted(self.ratings)] + ([NONE] if self.unrated else [])
        return ",".join(parts)

    def phrase(self) -> str:
        """E.g. "rated 4 or 5", "rated (any rating)", "not rated", "rated 1, or not rated"."""
        ratings = [str(r) for r in sorted(self.ratings)]
        if not ratings:
            return "not rated"
        if len(ratings) == len(RATINGS):
            rated = "rated (any rating)"
        elif len(ratings) == 1:
            rated = f"rated {ratings[0]}"
        else:
            rated = f"rated {', '.join(ratings[:-1])} or {ratings[-1]}"
        return f"{rated}, or not rated" if self.unrated else rated


def parse_rating(raw: str, parameter: str = "rating") -> RatingFilter:
    items = [item.strip().lower() for item in raw.split(",")]
    if items == [ANY]:
        return RatingFilter(frozenset(RATINGS))
    ratings: set[int] = set()
    unrated = False
    for item in items:
        if item == NONE:
            unrated = True
        elif item in {str(r) for r in RATINGS}:
            ratings.add(int(item))
        else:
            problem = "a value is missing" if not item else f"{item!r} is not a rating"
            raise InvalidFilter(parameter, problem, RATING_FORMS)
    return RatingFilter(frozenset(ratings), unrated)


@dataclass(frozen=True)
class ListFilters:
    rating: RatingFilter | None = None
    resolved: DateFilter | None = None
    awaiting: Awaiting | None = None
    first_response: FrtRange | None = None

    def to_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.rating is not None:
            params["rating"] = self.rating.format()
        if self.resolved is not None:
            params["resolved"] = self.resolved.format()
        if self.awaiting is not None:
            params["awaiting"] = self.awaiting
        if self.first_response is not None:
            params["first_response"] = self.first_response.format()
        return params


def rating_clause(flt: RatingFilter) -> ColumnElement[bool]:
    rated_as = select(TicketFeedback.ticket_id).where(TicketFeedback.rating.in_(flt.ratings))
    clauses: list[ColumnElement[bool]] = []
    if flt.ratings:
        clauses.append(Ticket.id.in_(rated_as))
    if flt.unrated:
        has_rating = exists().where(
            TicketFeedback.ticket_id == Ticket.id, TicketFeedback.rating.is_not(None)
        )
        clauses.append(~has_rating)
    return or_(*clauses)


def list_filter_clauses(flt: ListFilters, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if flt.rating is not None:
        clauses.append(rating_clause(flt.rating))
    if flt.resolved is not None:
        # Every date form has a bound, and a NULL resolved_at never meets one.
        clauses += date_clauses(flt.resolved, Ticket.__table__.c.resolved_at, tz)
    clauses += response_clauses(flt.awaiting, flt.first_response)
    return clauses


def parse_list_filters(
    zone: ReportingZone,
    rating: Annotated[
        str | None,
        Query(
            description="Feedback rating. " + RATING_FORMS,
            examples=["any", "4,5", "none"],
            max_length=FILTER_MAX,
        ),
    ] = None,
    resolved: Annotated[
        str | None,
        Query(
            description="Resolution day in the reporting timezone (unresolved tickets never "
            "match). " + DATE_FORMS,
            examples=list(DATE_EXAMPLES),
            max_length=FILTER_MAX,
            json_schema_extra={"pattern": DATE_PATTERN},
        ),
    ] = None,
    awaiting: Annotated[
        str | None,
        Query(description="Open tickets awaiting: " + AWAITING_FORMS, max_length=40),
    ] = None,
    first_response: Annotated[
        str | None,
        Query(description="First response time: " + FIRST_RESPONSE_FORMS, max_length=40),
    ] = None,
) -> ListFilters:
    """Blank means absent, like status, client and q: a plain HTML form sends empty fields."""
    return ListFilters(
        rating=parse_rating(rating) if rating and rating.strip() else None,
        resolved=parse_date(resolved, "resolved", today=reporting_today(zone))
        if resolved and resolved.strip()
        else None,
        awaiting=parse_awaiting(awaiting) if awaiting and awaiting.strip() else None,
        first_response=parse_first_response(first_response)
        if first_response and first_response.strip()
        else None,
    )


ListFiltersParam = Annotated[ListFilters, Depends(parse_list_filters)]
