"""/api/v1/analytics/team-members/{id} and /clients/{id}: one member's or one client's row of
the team table or clients analysis under the filter bar, with their tickets by status.
Internal users only, like every analytics endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from support_analytics.analytics import endpoints, entities
from support_analytics.analytics.entities import ClientDetail, MemberDetail
from support_analytics.auth.dependencies import DbSession
from support_analytics.errors import NotFound, error_responses
from support_analytics.filters.params import TicketFiltersParam

router = APIRouter(
    prefix="/api/v1/analytics",
    tags=["analytics"],
    dependencies=list(endpoints.router.dependencies),
    responses=error_responses(401, 403, 404, 422, 503),
)

EntityId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/team-members/{member_id}", response_model=MemberDetail)
def get_team_member(
    *,
    member_id: EntityId,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: endpoints.Zone,
    fast: endpoints.UseRollups,
) -> Response:
    """The member's row of /team-performance under the same filter bar (its team member
    filter replaced by this member) and their filtered tickets per status; 404 for an
    unknown id."""
    found = entities.member(db, filters, tz, member_id, use_rollups=fast)
    if found is None:
        raise NotFound(f"no team member {member_id}")
    return Response(found.model_dump_json(), media_type="application/json")


@router.get("/clients/{client_id}", response_model=ClientDetail)
def get_client(
    *,
    client_id: EntityId,
    db: DbSession,
    filters: TicketFiltersParam,
    tz: endpoints.Zone,
    fast: endpoints.UseRollups,
) -> Response:
    """The client's row of /clients under the same filter bar (plan, total and open tickets,
    net spend, last ticket) and their filtered tickets per status; 404 for an unknown id."""
    found = entities.client(db, filters, tz, client_id, use_rollups=fast)
    if found is None:
        raise NotFound(f"no client {client_id}")
    return Response(found.model_dump_json(), media_type="application/json")
