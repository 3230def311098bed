"""The internal ticket inbox: every ticket, filtered by the dashboard's filter bar (same
parameters, so a click-through from a number lands on exactly its tickets) plus status,
client and text; each ticket's thread, a reply box that answers as the signed-in team
member, and status / priority / assignee changes. Internal users only (clients get 403)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from support_analytics.auth.dependencies import DbSession, InternalUser
from support_analytics.errors import Conflict, InvalidInput
from support_analytics.filters import TicketFilters
from support_analytics.filters.describe import date_phrase
from support_analytics.filters.grammar import UNASSIGNED, SetFilter, SetOp, ascii_id
from support_analytics.filters.params import TicketFiltersParam, reject_unknown_query_params
from support_analytics.sla.schemas import TARGET_LABELS
from support_analytics.sla.state import DEFAULT_WINDOW
from support_analytics.tickets import queries, service
from support_analytics.tickets.list_filters import ListFilters, ListFiltersParam
from support_analytics.tickets.params import TicketQueryParam
from support_analytics.tickets.queries import TicketDetail, TicketQuery
from support_analytics.tickets.response_filters import awaiting_phrase
from support_analytics.tickets.schemas import TicketBulkUpdate, TicketUpdate
from support_analytics.tickets.status import Priority, Status
from support_analytics.web.pages import tickets_shared
from support_analytics.web.pages.dashboard_filterbar import (
    DATE_OPERATORS,
    SET_OPERATORS,
    Chip,
    Names,
    ViewState,
    chips,
    controls,
    redirect_plain_form,
    sentence,
)
from support_analytics.web.pages.ticket_times import SLA_LABELS, due_cell, since
from support_analytics.web.pages.tickets_shared import (
    STATUS_CHOICES,
    Choice,
    TicketPages,
    next_statuses,
    page_url,
    pager,
    render,
    see_other,
)
from support_analytics.web.urls import url

router = APIRouter(prefix="/tickets", tags=["pages"], include_in_schema=False)

OwnParams = ("status", "q", "rating", "resolved", "page_size", "sort", "sla")
# (key, header): the list's columns in order, each sortable (`tickets.queries.SORTABLE`).
COLUMNS = (
    ("id", "#"),
    ("title", "Title"),
    ("client", "Client"),
    ("type", "Type"),
    ("priority", "Priority"),
    ("status", "Status"),
    ("assignee", "Assignee"),
    ("created", "Created"),
    ("resolved", "Resolved"),
    ("sla_due", "SLA due"),
    ("client_message", "Customer wrote"),
)
# First click: the biggest, latest or most urgent first for these; A-Z for the rest.
DESCENDING_FIRST = frozenset({"id", "priority", "created", "resolved"})
Optional = Annotated[str | None, Form()]

# Values in `RatingFilter.format()`'s canonical form, so the current one is found by equality.
RATING_CHOICES = (
    Choice("", "Rated or not"),
    Choice("any", "Rated (any rating)"),
    Choice("4,5", "Satisfied (4-5)"),
    Choice("1,2", "Dissatisfied (1-2)"),
    *(Choice(str(r), f"Rated {r}") for r in (5, 4, 3, 2, 1)),
    Choice("none", "Not rated"),
)


@dataclass(frozen=True)
class InboxView:
    """What the shared filter bar template needs to know about the page it sits on."""

    path: str = "/tickets"
    title: str = "Tickets"
    key: str = "inbox"


@router.get("", dependencies=[Depends(redirect_plain_form), Depends(reject_unknown_query_params)])
def inbox(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    narrowing: ListFiltersParam,
    query: TicketQueryParam,
) -> Response:
    as_of = datetime.now(UTC)
    query = replace(query, as_of=as_of)
    page = queries.list_tickets(db, query)
    clients = queries.clients(db)
    own = {k: request.query_params[k] for k in OwnParams if request.query_params.get(k)}
    own |= narrowing.to_params()
    state = ViewState("/tickets", filters, own)
    names = Names.load(db)
    date, set_controls = controls(filters, names)
    all_params = dict(filters.to_params()) | own
    target = request.headers.get("HX-Target")
    restoring = request.headers.get("HX-History-Restore-Request") == "true"
    fragment = request.headers.get("HX-Request") == "true" and target == "view" and not restoring
    return render(
        request,
        "inbox/_swap.html" if fragment else "inbox/list.html",
        user,
        {
            "view": InboxView(),
            "page": page,
            "by_resolution": query.by_resolution,
            "pager": pager("/tickets", all_params, page),
            "state": state,
            "date": date,
            "set_controls": set_controls,
            "date_operators": DATE_OPERATORS,
            "set_operators": SET_OPERATORS,
            "chips": chips(state, names) + _own_chips(state, query, narrowing, clients),
            "quick_views": _quick_views(state, user.team_member_id)
            + _awaiting_views(state, narrowing)
            + _sla_views(state, query),
            "sort_columns": _sort_columns(state, query),
            "clear_url": state.url(filters=TicketFilters(), **dict.fromkeys(OwnParams), page=None),
            "description": _description(filters, query, narrowing, names, clients),
            "filter_params": filters.to_params(),
            "status": own.get("status", ""),
            "q": own.get("q", ""),
            "rating": own.get("rating", ""),
            "resolved": own.get("resolved", ""),
            "status_choices": STATUS_CHOICES,
            "rating_choices": _rating_choices(narrowing),
            "clients": clients,
            "csv_url": url("/api/v1/tickets", all_params, format="csv"),
            "as_of": as_of,
            "due_cell": due_cell,
            "at_risk_seconds": int(DEFAULT_WINDOW.total_seconds()),
            "since": since,
            "bulk_statuses": list(Status),
            "members": queries.team_members(db),
            "back_url": page_url("/tickets", all_params, page.page),
        },
    )


def _description(
    filters: TicketFilters,
    query: TicketQuery,
    narrowing: ListFilters,
    names: Names,
    clients: list[queries.Option],
) -> str:
    """One sentence for everything that narrows the list: the filter bar's, then the list's
    own status, client, search, resolution day and rating (their chips say the same)."""
    extra = [phrase for _key, phrase in _own_phrases(query, narrowing, clients)]
    if filters.active:
        return ", ".join([sentence(filters, names), *extra])
    if extra:
        return "Tickets " + ", ".join(extra)
    return sentence(filters, names)


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    url: str
    sorted: str | None  # aria-sort value of the column the list is ordered by


def _sort_columns(state: ViewState, query: TicketQuery) -> list[SortColumn]:
    columns: list[SortColumn] = []
    for key, label in COLUMNS:
        active = query.sort == key
        if query.sort is None:  # the default orders: newest first, or last resolved first
            active = key == ("resolved" if query.by_resolution else "created")
            descending_now = True
        else:
            descending_now = query.descending
        descending_next = (not descending_now) if active else key in DESCENDING_FIRST
        columns.append(
            SortColumn(
                key=key,
                label=label,
                url=state.url(sort=f"-{key}" if descending_next else key, page=None),
                sorted=("descending" if descending_now else "ascending") if active else None,
            )
        )
    return columns


@dataclass(frozen=True)
class QuickView:
    label: str
    url: str
    current: bool


def _quick_views(state: ViewState, me: int | None) -> list[QuickView]:
    """All / Mine / Unassigned: the team member filter set to one of them, the rest kept."""
    current = state.filters.team_member
    choices: list[tuple[str, SetFilter[int | None] | None]] = [("All", None)]
    if me is not None:
        choices.append(("Mine", SetFilter(SetOp.IS, (me,))))
    choices.append(("Unassigned", SetFilter(SetOp.IS, (None,))))
    return [
        QuickView(
            label=label,
            url=state.url(filters=replace(state.filters, team_member=chosen), page=None),
            current=current == chosen,
        )
        for label, chosen in choices
    ]


def _awaiting_views(state: ViewState, narrowing: ListFilters) -> list[QuickView]:
    """Open tickets waiting for the team: no reply yet, or the client wrote last."""
    return [
        QuickView(
            label=label,
            url=state.url(awaiting=None if narrowing.awaiting == value else value, page=None),
            current=narrowing.awaiting == value,
        )
        for label, value in (("Awaiting first reply", "first_reply"), ("Awaiting reply", "reply"))
    ]


def _sla_views(state: ViewState, query: TicketQuery) -> list[QuickView]:
    """Tickets whose next SLA due time is within the hour (`sla=at_risk`), and tickets whose
    first response missed its target (`sla=first_response:breached`), answered or not."""
    views = []
    for label, target, wanted in (
        ("At risk", None, "at_risk"),
        ("First response breached", "first_response", "breached"),
    ):
        current = query.sla == wanted and query.sla_target == target
        value = wanted if target is None else f"{target}:{wanted}"
        views.append(
            QuickView(
                label=label,
                url=state.url(sla=None if current else value, page=None),
                current=current,
            )
        )
    return views


def _own_phrases(
    query: TicketQuery, narrowing: ListFilters, clients: list[queries.Option]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if query.statuses:
        found.append(("status", "status " + " or ".join(s.label.lower() for s in query.statuses)))
    if query.q:
        found.append(("q", f"matching “{query.q}”"))
    if narrowing.resolved is not None:
        found.append(("resolved", date_phrase(narrowing.resolved, "resolved")))
    if narrowing.rating is not None:
        found.append(("rating", narrowing.rating.phrase()))
    if narrowing.awaiting is not None:
        found.append(("awaiting", awaiting_phrase(narrowing.awaiting)))
    if narrowing.first_response is not None:
        found.append(("first_response", narrowing.first_response.phrase()))
    if query.sla is not None:
        which = f"{TARGET_LABELS[query.sla_target]} SLA" if query.sla_target else "SLA"
        found.append(("sla", f"{which} {SLA_LABELS[query.sla].lower()}"))
    return found


def _own_chips(
    state: ViewState, query: TicketQuery, narrowing: ListFilters, clients: list[queries.Option]
) -> list[Chip]:
    """A chip for each of the list's own filters, beside the filter bar's: everything that
    narrows the list is visible in one place and removable in one click. The resolution day
    has no control of its own (it arrives from a dashboard click), so its chip is the only
    way it is seen."""
    return [
        Chip(key, text, state.url(**{key: None, "page": None}))
        for key, text in _own_phrases(query, narrowing, clients)
    ]


def _rating_choices(narrowing: ListFilters) -> tuple[Choice, ...]:
    current = narrowing.rating
    if current is None or current.format() in {c.value for c in RATING_CHOICES}:
        return RATING_CHOICES
    return (*RATING_CHOICES, Choice(current.format(), current.phrase().capitalize()))


def _inbox_context(request: Request, db: Session, detail: TicketDetail) -> dict[str, object]:
    members = queries.team_members(db)
    return {
        "statuses": next_statuses(detail.ticket.status),
        "priorities": list(Priority),
        "members": members,
        "member_names": {m.id: m.name for m in members},
        "saved": request.query_params.get("saved") == "1",
        "back_url": _back_url(request),
    }


PAGES = TicketPages(base="/tickets", template="inbox/ticket.html", page_context=_inbox_context)


def _back_url(request: Request) -> str:
    """Back to the filtered list the agent came from (path and query only, never a host)."""
    came_from = urlsplit(request.headers.get("referer", ""))
    if came_from.path == "/tickets" and came_from.query:
        return f"/tickets?{came_from.query}"
    return "/tickets"


def _list_url(back: str | None) -> str:
    """The list the bulk form was posted from: its query re-encoded onto /tickets, so a
    forged `back` can neither leave the site nor smuggle anything but parameters."""
    return url("/tickets", parse_qsl(urlsplit(back or "").query))


def _assignee(text: str | None) -> int | str | None:
    """The assignee select's value: `unassigned` unassigns; an id stays an id; anything else
    goes on to validation as it is, to be refused there with the field named."""
    text = (text or "").strip()
    if text == UNASSIGNED:
        return None
    return ascii_id(text) or text


# Before `/{ticket_id}`: that route would claim "bulk" and refuse it as an id.
@router.post("/bulk")
def bulk_update(
    *,
    db: DbSession,
    user: InternalUser,
    ids: Annotated[list[str] | None, Form()] = None,
    status: Optional = None,
    assigned_to: Optional = None,
    back: Optional = None,
) -> Response:
    """The inbox's action bar: one status and/or assignee for the ticked rows, through the
    same service as the API (one transaction); 303 back to the list with its filters. An
    empty select means "leave as is"."""
    changes: dict[str, object] = {"ids": [ascii_id(i) or i for i in ids or []]}
    if status:
        changes["status"] = status
    if assigned_to:
        changes["assigned_to"] = _assignee(assigned_to)
    try:
        data = TicketBulkUpdate.model_validate(changes)
    except ValidationError as exc:
        wrong = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}) or ["ids"]
        hint = "tick 1 to 200 tickets" if wrong[0] == "ids" else "choose a listed value"
        raise InvalidInput(f"{wrong[0]}: not saved, {hint}", field=wrong[0]) from exc
    service.update_tickets(db, user, data)
    return see_other(_list_url(back))


@router.get("/{ticket_id}")
def ticket_page(request: Request, db: DbSession, user: InternalUser, ticket_id: int) -> Response:
    return tickets_shared.ticket_page(PAGES, request, db, user, ticket_id)


@router.post("/{ticket_id}/messages")
def reply(
    request: Request,
    db: DbSession,
    user: InternalUser,
    ticket_id: int,
    text: Annotated[str, Form()] = "",
) -> Response:
    return tickets_shared.reply(PAGES, request, db, user, ticket_id, text=text)


@router.post("/{ticket_id}")
def update(
    *,
    request: Request,
    db: DbSession,
    user: InternalUser,
    ticket_id: int,
    status: Optional = None,
    priority: Optional = None,
    assigned_to: Optional = None,
) -> Response:
    """Fields present in the form change. The assignee `unassigned` (the filter grammar's word)
    unassigns: browsers send an empty select value the same as a missing one."""
    changes: dict[str, object] = {}
    if status is not None:
        changes["status"] = status
    if priority is not None:
        changes["priority"] = priority
    if assigned_to is not None:
        changes["assigned_to"] = _assignee(assigned_to)
    try:
        data = TicketUpdate.model_validate(changes)
    except ValidationError as exc:
        wrong = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        notice = "Not saved: choose a listed " + " and ".join(wrong).replace("_", " ") + "."
        return tickets_shared.ticket_page(
            PAGES, request, db, user, ticket_id, notice=notice, status_code=422
        )
    try:
        service.update_ticket(db, user, ticket_id, data)
    except (Conflict, InvalidInput) as exc:
        db.rollback()
        return tickets_shared.ticket_page(
            PAGES, request, db, user, ticket_id, notice=exc.message, status_code=exc.status_code
        )
    return see_other(f"/tickets/{ticket_id}?saved=1")
