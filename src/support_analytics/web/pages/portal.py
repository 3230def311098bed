"""The client portal: the company's own tickets, a new-ticket form, and each ticket's thread
with reply and feedback forms. Client users only; every read goes through DbSession, so a
ticket of another client is a 404 page, exactly like one that does not exist.

Forms are plain POST + redirect (no JavaScript needed); on a validation error the form comes
back with the caller's input and a message beside each field (status 422).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from support_analytics.app_settings import ReportingZone
from support_analytics.auth.dependencies import ClientUser, DbSession
from support_analytics.errors import Conflict, InvalidInput
from support_analytics.filters.grammar import FILTER_MAX, ascii_id, parse_date
from support_analytics.filters.params import reporting_today
from support_analytics.sla.portal import promises, promises_of
from support_analytics.text import search_text
from support_analytics.tickets import events, forms, queries, report, service, submissions
from support_analytics.tickets.params import parse_statuses
from support_analytics.tickets.queries import TicketDetail, TicketQuery
from support_analytics.tickets.status import FEEDBACK_STATUSES, Priority, parse_status
from support_analytics.web.pages import tickets_shared
from support_analytics.web.pages.ticket_times import promise_view
from support_analytics.web.pages.tickets_shared import (
    STATUS_CHOICES,
    TicketPages,
    new_form_token,
    pager,
    render,
    see_other,
)
from support_analytics.web.urls import url

router = APIRouter(prefix="/portal", tags=["pages"], include_in_schema=False)

PAGE_SIZE = 20
Text = Annotated[str, Form()]


@router.get("")
def portal_home(
    *,
    request: Request,
    db: DbSession,
    user: ClientUser,
    status: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    statuses = parse_statuses(status)
    q = search_text(q)
    result = queries.list_tickets(
        db, TicketQuery(statuses=statuses, q=q, page=page, page_size=PAGE_SIZE)
    )
    params = {"status": status or "", "q": q or ""}
    created = {row.id: row.created_at for row in result.rows}
    replies = {
        ticket_id: promise_view(found[0], created.get(ticket_id))
        for ticket_id, found in promises_of(db, list(created), datetime.now(UTC)).items()
        if found[0].target == "first_response"
    }
    return render(
        request,
        "portal/list.html",
        user,
        {
            "page": result,
            "replies": replies,
            "pager": pager("/portal", params, result),
            "status": status or "",
            "q": q or "",
            "status_choices": STATUS_CHOICES,
            "filtered": bool(statuses or q),
        },
    )


# The report's periods: relative, so a bookmarked report stays current.
REPORT_PERIODS = (
    tickets_shared.Choice("last:30d", "Last 30 days"),
    tickets_shared.Choice("last:90d", "Last 90 days"),
    tickets_shared.Choice("last:12m", "Last 12 months"),
    tickets_shared.Choice("this:year", "This year"),
    tickets_shared.Choice("", "All time"),
)


@router.get("/report")
def service_report(
    *,
    request: Request,
    db: DbSession,
    user: ClientUser,
    zone: ReportingZone,
    date: Annotated[str | None, Query(max_length=FILTER_MAX)] = None,
) -> Response:
    """The company's own service report: what `GET /api/v1/tickets/report` returns for the
    same period, through the same function and row-level security."""
    chosen = (date or "").strip()
    period = parse_date(chosen, "date", today=reporting_today(zone)) if chosen else None
    numbers = report.service_report(db, period, zone, datetime.now(UTC))
    return render(
        request,
        "portal/report.html",
        user,
        {
            "report": numbers,
            "periods": REPORT_PERIODS,
            "date": chosen,
            "api_url": url("/api/v1/tickets/report", {"date": chosen} if chosen else {}),
        },
    )


def _new_form(
    request: Request,
    db: DbSession,
    user: ClientUser,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "portal/new.html",
        user,
        {
            "types": queries.ticket_types(db),
            "priorities": list(Priority),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/tickets/new")
def new_ticket_form(
    request: Request,
    db: DbSession,
    user: ClientUser,
    follow_up: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    values = {"priority": Priority.MEDIUM.value, "token": new_form_token()}
    if follow_up is not None:
        values.update(events.follow_up_values(db, ascii_id(follow_up) or 0))
    return _new_form(request, db, user, values=values, errors={})


@router.post("/tickets/new")
def create_ticket(
    *,
    request: Request,
    db: DbSession,
    user: ClientUser,
    title: Text = "",
    ticket_type_id: Text = "",
    priority: Text = "",
    message: Text = "",
    token: Text = "",
) -> Response:
    values = {
        "title": title,
        "ticket_type_id": ticket_type_id,
        "priority": priority,
        "message": message,
        # A tampered token is replaced, not stored: the form then works as a fresh one.
        "token": token if submissions.valid_token(token) else new_form_token(),
    }
    parsed = forms.new_ticket(
        title=title, ticket_type_id=ticket_type_id, priority=priority, message=message
    )
    if parsed.value is None:
        return _new_form(request, db, user, values=values, errors=parsed.errors, status_code=422)
    try:
        created = service.create_ticket(db, user, parsed.value, token=values["token"])
    except InvalidInput as exc:
        field = exc.field or "title"
        errors = {field: forms.MESSAGES.get(field, exc.message)}
        return _new_form(request, db, user, values=values, errors=errors, status_code=422)
    return see_other(f"/portal/tickets/{created.ticket_id}?created=1")


def _portal_context(request: Request, db: Session, detail: TicketDetail) -> dict[str, object]:
    status = parse_status(detail.ticket.status)
    return {
        "can_give_feedback": detail.feedback is None and status in FEEDBACK_STATUSES,
        "feedback_values": {},
        "created": request.query_params.get("created") == "1",
        "promises": [
            promise_view(p, detail.ticket.created_at)
            for p in promises(db, detail.ticket.id, datetime.now(UTC))
        ],
    }


PAGES = TicketPages(
    base="/portal/tickets", template="portal/ticket.html", page_context=_portal_context
)


@router.get("/tickets/{ticket_id}")
def ticket_page(request: Request, db: DbSession, user: ClientUser, ticket_id: int) -> Response:
    return tickets_shared.ticket_page(PAGES, request, db, user, ticket_id)


@router.post("/tickets/{ticket_id}/messages")
def reply(
    request: Request, db: DbSession, user: ClientUser, ticket_id: int, text: Text = ""
) -> Response:
    return tickets_shared.reply(PAGES, request, db, user, ticket_id, text=text)


@router.post("/tickets/{ticket_id}/feedback")
def leave_feedback(
    *,
    request: Request,
    db: DbSession,
    user: ClientUser,
    ticket_id: int,
    rating: Text = "",
    text: Text = "",
) -> Response:
    parsed = forms.feedback(rating=rating, text=text)
    values = {"rating": rating, "text": text}
    if parsed.value is None:
        return tickets_shared.ticket_page(
            PAGES,
            request,
            db,
            user,
            ticket_id,
            feedback_values=values,
            errors=parsed.errors,
            status_code=422,
        )
    try:
        service.add_feedback(db, user, ticket_id, parsed.value)
    except Conflict as exc:
        return tickets_shared.ticket_page(
            PAGES, request, db, user, ticket_id, notice=exc.message, status_code=409
        )
    return see_other(f"/portal/tickets/{ticket_id}#feedback")
