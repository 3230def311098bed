"""FastAPI side of the filter bar: query parameters documented with their grammar, parsed into
`TicketFilters`, and strict about what else a request may carry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from support_analytics.app_settings import ReportingZone
from support_analytics.errors import InvalidInput
from support_analytics.filters.grammar import (
    CLIENT_FORMS,
    CLIENT_PATTERN,
    DATE_EXAMPLES,
    DATE_FORMS,
    DATE_PATTERN,
    FILTER_MAX,
    PLAN_FORMS,
    PLAN_PATTERN,
    PRIORITY_FORMS,
    PRIORITY_PATTERN,
    TEAM_MEMBER_FORMS,
    TEAM_MEMBER_PATTERN,
    TICKET_TYPE_FORMS,
    TICKET_TYPE_PATTERN,
)
from support_analytics.filters.model import TicketFilters


def parse_ticket_filters(
    *,
    date: Annotated[
        str | None,
        Query(
            description="Ticket creation day in the reporting timezone. " + DATE_FORMS,
            examples=list(DATE_EXAMPLES),
            max_length=FILTER_MAX,
            json_schema_extra={"pattern": DATE_PATTERN},
        ),
    ] = None,
    team_member: Annotated[
        str | None,
        Query(
            description="Assignee. " + TEAM_MEMBER_FORMS + ". is_not/none_of keep unassigned "
            "tickets unless `unassigned` is listed.",
            examples=["is:3", "is_not:unassigned", "any_of:1,2,unassigned", "none_of:4,5"],
            max_length=FILTER_MAX,
            json_schema_extra={"pattern": TEAM_MEMBER_PATTERN},
        ),
    ] = None,
    ticket_type: Annotated[
        str | None,
        Query(
            description="Ticket type. " + TICKET_TYPE_FORMS,
            examples=["is:2", "is_not:4", "any_of:1,3,5", "none_of:14"],
            max_length=FILTER_MAX,
            json_schema_extra={"pattern": TICKET_TYPE_PATTERN},
        ),
    ] = None,
    priority: Annotated[
        str | None,
        Query(
            description="Priority. " + PRIORITY_FORMS + ". is_not/none_of keep tickets "
            "without a priority.",
            examples=["is:urgent", "is_not:low", "any_of:high,urgent", "none_of:low,medium"],
            max_length=FILTER_MAX,
            json_schema_extra={"pattern": PRIORITY_PATTERN},
        ),
    ] = None,
    client: Annotated[
        str | None,
        Query(
            description="Client. " + CLIENT_FORMS,
            examples=["is:3", "is_not:3", "any_of:1,2,3", "none_of:7"],
            max_length=FILTER_MAX,
            json_schema_extra={"pattern": CLIENT_PATTERN},
        ),
    ] = None,
    plan: Annotated[
        str | None,
        Query(
            description="The plan of the ticket's client. " + PLAN_FORMS + ". is_not/none_of "
            "keep tickets of clients without a plan.",
            examples=["is:enterprise", "is_not:starter", "any_of:professional,enterprise"],
            max_length=FILTER_MAX,
            json_schema_extra={"pattern": PLAN_PATTERN},
        ),
    ] = None,
    tz: ReportingZone,
) -> TicketFilters:
    return TicketFilters.parse(
        date=date,
        team_member=team_member,
        ticket_type=ticket_type,
        priority=priority,
        client=client,
        plan=plan,
        today=reporting_today(tz),
    )


def reporting_today(tz: ZoneInfo) -> dt.date:
    """Today in the reporting timezone: what relative dates (`last:7d`) count from."""
    return dt.datetime.now(tz).date()


TicketFiltersParam = Annotated[TicketFilters, Depends(parse_ticket_filters)]


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= declared_query_names(sub)
    return frozenset(names)


def reject_unknown_query_params(request: Request) -> None:
    """Route dependency: a misspelt or unsupported parameter is a 422, never silently ignored.
    What is allowed is read from the route's own declared query parameters."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = declared_query_names(route.dependant)
    for name in request.query_params:
        if name not in allowed:
            raise InvalidInput(
                f"{name}: unknown query parameter. Accepted: {', '.join(sorted(allowed))}",
                field=name,
            )
        if len(request.query_params.getlist(name)) > 1:
            raise InvalidInput(f"{name}: given more than once. Accepted: one value", field=name)
