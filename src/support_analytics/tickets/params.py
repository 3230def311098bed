"""Query parameters the ticket lists take besides the analytics filter bar (which carries the
client and plan filters): status, free text, rating and resolution day (`list_filters`), and
pagination. Malformed values are a 422 naming the parameter, as for filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from support_analytics.analytics.columns import parse_sort
from support_analytics.app_settings import ReportingZone
from support_analytics.errors import InvalidInput
from support_analytics.filters.grammar import FILTER_MAX
from support_analytics.filters.params import TicketFiltersParam
from support_analytics.sla.state import TARGETS, Target
from support_analytics.text import search_text
from support_analytics.tickets.list_filters import ListFiltersParam
from support_analytics.tickets.queries import (
    SLA_DUE_STATES,
    SORT_COLUMNS,
    SlaDueState,
    TicketQuery,
)
from support_analytics.tickets.schemas import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from support_analytics.tickets.status import Status

STATUS_FORMS = "comma-separated statuses: " + ", ".join(s.value for s in Status)
Q_MAX = 200
SLA_FORMS = (
    "the ticket's SLA state now: "
    + ", ".join(SLA_DUE_STATES)
    + " (while a clock runs, by its next due time; at_risk: due within the hour), or one"
    " target's state as `target:state` with target "
    + " or ".join(TARGETS)
    + " (e.g. first_response:breached)"
)


def parse_sla(raw: str | None) -> tuple[Target | None, SlaDueState | None]:
    """`state` or `target:state` -> (target or None, state); nothing -> (None, None)."""
    if raw is None or not raw.strip():
        return None, None
    text = raw.strip()
    wanted_target, colon, wanted_state = text.rpartition(":")
    target = next((t for t in TARGETS if t == wanted_target), None)
    found = next((s for s in SLA_DUE_STATES if s == wanted_state), None)
    if found is None or (colon and target is None):
        raise InvalidInput(f"sla: unknown state {text!r}. Accepted: {SLA_FORMS}", field="sla")
    return target, found


def parse_statuses(raw: str | None) -> tuple[Status, ...]:
    if raw is None or not raw.strip():
        return ()
    out: list[Status] = []
    for part in raw.split(","):
        try:
            status = Status(part.strip())
        except ValueError:
            raise InvalidInput(
                f"status: unknown status {part.strip()!r}. Accepted: {STATUS_FORMS}",
                field="status",
            ) from None
        if status not in out:
            out.append(status)
    return tuple(out)


def ticket_query(
    *,
    zone: ReportingZone,
    filters: TicketFiltersParam,
    narrowing: ListFiltersParam,
    status: Annotated[str | None, Query(description=STATUS_FORMS, max_length=FILTER_MAX)] = None,
    q: Annotated[
        str | None,
        Query(max_length=Q_MAX, description="Text in the title or any message; `#123` an id."),
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=PAGE_SIZE_MAX)] = PAGE_SIZE_DEFAULT,
    sort: Annotated[
        str | None,
        Query(
            description="Order: a column (" + ", ".join(SORT_COLUMNS) + "), `-column` for "
            "descending; NULLs last, ties by id. Default: newest first.",
            max_length=FILTER_MAX,
        ),
    ] = None,
    sla: Annotated[str | None, Query(description=SLA_FORMS, max_length=FILTER_MAX)] = None,
) -> TicketQuery:
    column, descending = parse_sort(sort, SORT_COLUMNS) if sort else (None, False)
    sla_target, sla_state = parse_sla(sla)
    return TicketQuery(
        statuses=parse_statuses(status),
        q=search_text(q),
        filters=filters,
        narrowing=narrowing,
        zone=zone,
        sort=column,
        descending=descending,
        page=page,
        page_size=page_size,
        sla_target=sla_target,
        sla=sla_state,
    )


TicketQueryParam = Annotated[TicketQuery, Depends(ticket_query)]
