"""A page per team member (/dashboard/team/{id}) and per client (/dashboard/clients/{id}):
what /api/v1/analytics/team-members/{id} and /clients/{id} return, under the dashboard's filter
bar, with the newest of their tickets and a link to all of them in the inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from support_analytics.analytics import entities
from support_analytics.analytics.endpoints import UseRollups
from support_analytics.app_settings import ReportingZone
from support_analytics.auth.dependencies import DbSession, InternalUser
from support_analytics.errors import NotFound
from support_analytics.filters.params import TicketFiltersParam, reject_unknown_query_params
from support_analytics.web.pages import dashboard_views as views
from support_analytics.web.pages.dashboard import CLIENTS, TEAM, View, _render
from support_analytics.web.pages.dashboard_filterbar import redirect_plain_form
from support_analytics.web.pages.dashboard_links import tickets_url
from support_analytics.web.pages.tickets_shared import PRIORITY_LABELS, STATUS_LABELS

router = APIRouter(
    prefix="/dashboard",
    tags=["pages"],
    include_in_schema=False,
    dependencies=[Depends(redirect_plain_form), Depends(reject_unknown_query_params)],
)

EntityId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/team/{member_id}", name="dashboard_team_member")
def member_page(
    *,
    request: Request,
    member_id: EntityId,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    fast: UseRollups,
) -> Response:
    found = entities.member(db, filters, tz, member_id, use_rollups=fast)
    if found is None:
        raise NotFound(f"no team member {member_id}")
    narrowed = entities.for_member(filters, member_id)
    view = View("member", f"{TEAM.path}/{member_id}", found.name)
    context: dict[str, object] = {
        "member": found,
        "back": TEAM,
        "recent": entities.recent_member_tickets(db, filters, tz, member_id),
        "all_tickets": tickets_url(narrowed),
        "status_urls": {s: tickets_url(narrowed, status=s) for s in entities.STATUSES},
        "empty": False,
        "status_labels": STATUS_LABELS,
        "priority_labels": PRIORITY_LABELS,
        "api": views.api_url(f"team-members/{member_id}", filters),
    }
    return _render(request, view, db=db, user=user, filters=filters, extra={}, context=context)


@router.get("/clients/{client_id}", name="dashboard_client")
def client_page(
    *,
    request: Request,
    client_id: EntityId,
    db: DbSession,
    user: InternalUser,
    filters: TicketFiltersParam,
    tz: ReportingZone,
    fast: UseRollups,
) -> Response:
    found = entities.client(db, filters, tz, client_id, use_rollups=fast)
    if found is None:
        raise NotFound(f"no client {client_id}")
    view = View("client", f"{CLIENTS.path}/{client_id}", found.name)
    context: dict[str, object] = {
        "client": found,
        "back": CLIENTS,
        "recent": entities.recent_client_tickets(db, filters, tz, client_id),
        "all_tickets": tickets_url(entities.for_client(filters, client_id)),
        "status_urls": {
            s: tickets_url(entities.for_client(filters, client_id), status=s)
            for s in entities.STATUSES
        },
        "empty": False,
        "status_labels": STATUS_LABELS,
        "priority_labels": PRIORITY_LABELS,
        "api": views.api_url(f"clients/{client_id}", filters),
    }
    return _render(request, view, db=db, user=user, filters=filters, extra={}, context=context)
