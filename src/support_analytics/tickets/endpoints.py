"""/api/v1/tickets: thin handlers over `queries` and `service`, all inside the request's
RLS-scoped transaction (DbSession). Another client's ticket is a 404, never a 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import Response
from starlette.background import BackgroundTask

from support_analytics.app_settings import ReportingZone, app_settings
from support_analytics.auth.dependencies import ClientUser, CurrentUser, DbSession
from support_analytics.auth.sessions import token_from
from support_analytics.db.engine import Database
from support_analytics.errors import NotFound, error_responses
from support_analytics.export import CsvResponse, bom_param
from support_analytics.filters.grammar import (
    DATE_EXAMPLES,
    DATE_FORMS,
    DATE_PATTERN,
    FILTER_MAX,
    parse_date,
)
from support_analytics.filters.params import reject_unknown_query_params, reporting_today
from support_analytics.sla.portal import promises
from support_analytics.tenancy.gate import RequestGate
from support_analytics.tickets import events, export, queries, report, service
from support_analytics.tickets.params import TicketQueryParam
from support_analytics.tickets.queries import TicketDetail, TicketRow
from support_analytics.tickets.schemas import (
    FeedbackCreate,
    FeedbackOut,
    MessageCreate,
    MessageOut,
    PromiseOut,
    ServiceReport,
    TicketBulkOut,
    TicketBulkUpdate,
    TicketCreate,
    TicketDetailOut,
    TicketOut,
    TicketPage,
    TicketUpdate,
)
from support_analytics.tickets.submissions import SUBMISSION_ID_PATTERN, TOKEN_MAX

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])

_ERRORS = error_responses(401, 404, 422, 503)


def ticket_out(row: TicketRow) -> TicketOut:
    return TicketOut(
        id=row.id,
        client_id=row.client_id,
        title=row.title,
        status=row.status,
        priority=row.priority,
        ticket_type_id=row.ticket_type_id,
        assigned_to=row.assigned_to,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        sla_due_at=row.sla_due_at,
        sla_state=row.sla_state,
        last_client_message_at=row.last_client_message_at,
    )


def detail_out(detail: TicketDetail) -> TicketDetailOut:
    return TicketDetailOut(
        **ticket_out(detail.ticket).model_dump(),
        messages=[
            MessageOut(
                id=m.id,
                from_client=m.from_client,
                from_team_member_id=m.from_team_member_id,
                text=m.text,
                created_at=m.created_at,
            )
            for m in detail.messages
        ],
        feedback=None
        if detail.feedback is None
        else FeedbackOut(
            rating=detail.feedback.rating,
            text=detail.feedback.text,
            created_at=detail.feedback.created_at,
        ),
    )


def _load(db: DbSession, ticket_id: int) -> TicketDetail:
    detail = queries.get_ticket(db, ticket_id)
    if detail is None:
        raise NotFound(service.NOT_FOUND)
    return detail


@router.get(
    "",
    response_model=TicketPage,
    responses={200: {"content": {"text/csv": {}}}, **_ERRORS},
    dependencies=[Depends(reject_unknown_query_params), Depends(bom_param)],
)
def list_tickets(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    query: TicketQueryParam,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    """Tickets the caller may see (internal: all; client: its own), newest first (most recently
    resolved first when `resolved` is given), filtered by the analytics filter bar plus status,
    client, text, rating and resolution day. `format=csv`: every matching row, streamed (503
    with Retry-After when too many exports are running)."""
    if format == "csv":
        settings = app_settings(request)
        slot = export.limit_for(request.app.state, settings.csv_export_concurrency).take()
        database: Database = request.app.state.request_database
        gate: RequestGate = request.app.state.request_gate
        rows = export.stream(
            database,
            token_from(request),
            query,
            ttl=timedelta(hours=settings.session_ttl_hours),
            slot=slot,
        )
        body = export.through_gate(gate, rows, slot)
        return CsvResponse("tickets", body, background=BackgroundTask(slot.release))
    page = queries.list_tickets(db, query)
    out = TicketPage(
        rows=[ticket_out(r) for r in page.rows],
        page=page.page,
        page_size=page.page_size,
        total=page.total,
    )
    return Response(out.model_dump_json(), media_type="application/json")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={**error_responses(403), **_ERRORS},
)
def create_ticket(
    db: DbSession,
    user: ClientUser,
    body: TicketCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=TOKEN_MAX,
            pattern=SUBMISSION_ID_PATTERN,
            description="Repeat a request with the same key and it creates one ticket.",
        ),
    ] = None,
) -> TicketOut:
    """A new ticket for the caller's own client (a `client_id` in the body is ignored)."""
    created = service.create_ticket(db, user, body, token=idempotency_key)
    return ticket_out(_load(db, created.ticket_id).ticket)


@router.post(
    "/bulk",
    responses={**error_responses(403, 409), **_ERRORS},
)
def update_tickets(db: DbSession, user: CurrentUser, body: TicketBulkUpdate) -> TicketBulkOut:
    """The same status and/or assignee for 1 to 200 tickets, in one transaction: an id the
    caller cannot see (404) or a ticket that cannot take the status (409) names its position
    in `ids`, and nothing is written. Internal users only."""
    ids = service.update_tickets(db, user, body)
    rows = queries.ticket_rows(db, ids)
    return TicketBulkOut(updated=len(rows), rows=[ticket_out(r) for r in rows])


@router.get(
    "/report",
    responses={**error_responses(403), **_ERRORS},
    dependencies=[Depends(reject_unknown_query_params)],
)
def service_report(
    db: DbSession,
    user: ClientUser,
    zone: ReportingZone,
    date: Annotated[
        str | None,
        Query(
            description="Creation day in the reporting timezone (all time when absent). "
            + DATE_FORMS,
            examples=list(DATE_EXAMPLES),
            max_length=FILTER_MAX,
            json_schema_extra={"pattern": DATE_PATTERN},
        ),
    ] = None,
) -> ServiceReport:
    """The caller's own company's service (client users; 403 for internal users): its
    tickets created in the period, replied tickets, median first response time in hours, and
    SLA met / breached / pending and compliance per target, all through row-level security."""
    period = (
        parse_date(date, "date", today=reporting_today(zone)) if date and date.strip() else None
    )
    return report.service_report(db, period, zone, datetime.now(UTC))


@router.get("/{ticket_id}", responses=_ERRORS)
def get_ticket(db: DbSession, user: CurrentUser, ticket_id: int) -> TicketDetailOut:
    detail = detail_out(_load(db, ticket_id))
    targets = [
        PromiseOut(
            target=p.target,
            target_hours=float(p.hours),
            basis="business" if p.basis == "business" else "calendar",
            due_at=p.due_at,
            state=p.state,
        )
        for p in promises(db, ticket_id, datetime.now(UTC))
    ]
    return detail.model_copy(update={"events": events.timeline(db, ticket_id), "promises": targets})


@router.post("/{ticket_id}/messages", status_code=status.HTTP_201_CREATED, responses=_ERRORS)
def add_message(
    db: DbSession, user: CurrentUser, ticket_id: int, body: MessageCreate
) -> MessageOut:
    message_id = service.add_message(db, user, ticket_id, body)
    message = next(m for m in _load(db, ticket_id).messages if m.id == message_id)
    return MessageOut(
        id=message.id,
        from_client=message.from_client,
        from_team_member_id=message.from_team_member_id,
        text=message.text,
        created_at=message.created_at,
    )


@router.post(
    "/{ticket_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    responses={**error_responses(403, 409), **_ERRORS},
)
def add_feedback(
    db: DbSession, user: ClientUser, ticket_id: int, body: FeedbackCreate
) -> FeedbackOut:
    service.add_feedback(db, user, ticket_id, body)
    feedback = _load(db, ticket_id).feedback
    if feedback is None:  # the insert above either wrote it or raised
        raise NotFound(service.NOT_FOUND)
    return FeedbackOut(rating=feedback.rating, text=feedback.text, created_at=feedback.created_at)


@router.patch(
    "/{ticket_id}",
    responses={**error_responses(403, 409), **_ERRORS},
)
def update_ticket(
    db: DbSession, user: CurrentUser, ticket_id: int, body: TicketUpdate
) -> TicketOut:
    service.update_ticket(db, user, ticket_id, body)
    return ticket_out(_load(db, ticket_id).ticket)
