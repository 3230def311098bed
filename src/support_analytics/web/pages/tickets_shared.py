"""What the portal and the inbox pages share: rendering with the signed-in principal,
pagination links, the idempotency token of the new-ticket form, status labels."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from support_analytics.config import Settings
from support_analytics.tenancy.claims import Principal
from support_analytics.tickets.queries import Page
from support_analytics.tickets.status import (
    CLOSED_GROUP,
    OPEN_GROUP,
    TRANSITIONS,
    Priority,
    Status,
    parse_status,
)
from support_analytics.web.templating import templates

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
    query = {k: v for k, v in params.items() if v and k != "page"}
    if page > 1:
        query["page"] = str(page)
    encoded = urlencode(query)
    return f"{path}?{encoded}" if encoded else path


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
    settings: Settings = request.app.state.settings
    response = templates.TemplateResponse(
        request,
        template,
        {
            "principal": user,
            "reporting_timezone": settings.reporting_timezone,
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
