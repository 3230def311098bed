"""What the portal and the inbox pages share: rendering with the signed-in principal,
pagination links, the idempotency token of the new-ticket form, status labels, and the ticket
page and its reply form (`TicketPages`: one handler, the two sides' differences as values).
Every read goes through the caller's RLS-scoped session, so another client's ticket is a 404."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from support_analytics.errors import NotFound
from support_analytics.tenancy.claims import Principal
from support_analytics.tickets import events, forms, queries, service
from support_analytics.tickets.queries import Page, TicketDetail
from support_analytics.tickets.status import (
    CLOSED_GROUP,
    OPEN_GROUP,
    TRANSITIONS,
    Priority,
    Status,
    parse_status,
)
from support_analytics.web.templating import templates
from support_analytics.web.urls import url

STATUS_LABELS = {s.value: s.label for s in Status}
PRIORITY_LABELS = {p.value: p.label for p in Priority}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


# The portal's status filter: the two groups SPEC defines, then each status.
STATUS_CHOICES = (
    Choice("", "All statuses"),
    Choice(OPEN_GROUP, "Open (open or in progress)"),
    Choice(CLOSED_GROUP, "Closed (resolved or closed)"),
    *(Choice(s.value, s.label) for s in Status),
)


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def page_url(path: str, params: Mapping[str, str], page: int) -> str:
    kept = {k: v for k, v in params.items() if v and k != "page"}
    return url(path, kept, page=page if page > 1 else None)


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    total: int
    first_row: int
    last_row: int
    prev_url: str | None
    next_url: str | None
    last_url: str


def pager(path: str, params: Mapping[str, str], page: Page) -> Pager:
    first = (page.page - 1) * page.page_size + 1 if page.total else 0
    return Pager(
        page=page.page,
        pages=page.pages,
        total=page.total,
        first_row=first,
        last_row=first + len(page.rows) - 1 if page.rows else 0,
        prev_url=page_url(path, params, page.page - 1) if page.page > 1 else None,
        next_url=page_url(path, params, page.page + 1) if page.page < page.pages else None,
        last_url=page_url(path, params, page.pages),
    )


def next_statuses(current: str | None) -> list[Status]:
    status = parse_status(current)
    return [status, *sorted(TRANSITIONS[status], key=list(Status).index)]


def render(
    request: Request,
    template: str,
    user: Principal,
    context: Mapping[str, object],
    *,
    status_code: int = 200,
) -> Response:
    response = templates.TemplateResponse(
        request,
        template,
        {
            "principal": user,
            "status_labels": STATUS_LABELS,
            "priority_labels": PRIORITY_LABELS,
            **context,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def see_other(url: str) -> Response:
    """Post/Redirect/Get: a reload after a form never re-submits it."""
    return RedirectResponse(url, status_code=303)


@dataclass(frozen=True)
class TicketPages:
    """Where one side's ticket pages live and what its page adds to the shared context."""

    base: str
    """The ticket URLs' prefix: `/portal/tickets` or `/tickets`."""
    template: str
    page_context: Callable[[Request, Session, TicketDetail], Mapping[str, object]]
    """The side's own context (the inbox's update form, the portal's feedback form)."""


def ticket_page(
    pages: TicketPages,
    request: Request,
    db: Session,
    user: Principal,
    ticket_id: int,
    *,
    reply_value: str = "",
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
    **context: object,
) -> Response:
    """A ticket's thread, timeline and reply form (a 404 page if RLS hides it or it does not
    exist: the two look the same)."""
    detail = queries.get_ticket(db, ticket_id)
    if detail is None:
        raise NotFound(service.NOT_FOUND)
    return render(
        request,
        pages.template,
        user,
        {
            "detail": detail,
            "ticket": detail.ticket,
            "ticket_url": f"{pages.base}/{ticket_id}",
            "events": events.timeline(db, ticket_id),
            "reply_value": reply_value,
            "errors": errors or {},
            "notice": notice,
            **pages.page_context(request, db, detail),
            **context,
        },
        status_code=status_code,
    )


def reply(
    pages: TicketPages, request: Request, db: Session, user: Principal, ticket_id: int, *, text: str
) -> Response:
    """Post a reply as `user`; the page again with the error beside the box (422) when the
    text is refused, else 303 to the new message."""
    parsed = forms.reply(text=text)
    if parsed.value is None:
        return ticket_page(
            pages,
            request,
            db,
            user,
            ticket_id,
            reply_value=text,
            errors=parsed.errors,
            status_code=422,
        )
    message_id = service.add_message(db, user, ticket_id, parsed.value)
    return see_other(f"{pages.base}/{ticket_id}#message-{message_id}")
