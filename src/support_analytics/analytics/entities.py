"""One team member's or one client's numbers under the filter bar: their row of the team
table or of the clients analysis (the same functions, so the numbers agree by construction)
plus their tickets counted by status, and the newest of those tickets."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from support_analytics.analytics import clients, team_performance
from support_analytics.analytics.definitions import CLOSED_STATUSES, OPEN_STATUSES
from support_analytics.analytics.schemas import ClientRow, TeamRow
from support_analytics.analytics.tables import tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import SetFilter, SetOp
from support_analytics.filters.sql import ticket_clauses
from support_analytics.tickets.queries import Page, TicketQuery, list_tickets

STATUSES = (*OPEN_STATUSES, *CLOSED_STATUSES)
RECENT_TICKETS = 10


class MemberDetail(TeamRow):
    tickets_by_status: dict[str, int]
    """The member's filtered tickets per status (open, in_progress, resolved, closed)."""


class ClientDetail(ClientRow):
    tickets_by_status: dict[str, int]
    """The client's filtered tickets per status (open, in_progress, resolved, closed)."""


def for_member(filters: TicketFilters, member_id: int) -> TicketFilters:
    """The filter bar with its team member filter replaced by this member: a member's page is
    about that member (its links come from rows the filter admitted, so nothing widens)."""
    return replace(filters, team_member=SetFilter(SetOp.IS, (member_id,)))


def admits_client(filters: TicketFilters, client_id: int) -> bool:
    return filters.client is None or filters.client.admits(client_id)


def for_client(filters: TicketFilters, client_id: int) -> TicketFilters:
    """The filter bar narrowed to this client, for links and lists. Unlike the team table,
    the clients table lists every client (0 for those the bar excludes), so a client's
    numbers are the bar AND the client (`client`), and this is exact whenever the bar admits
    the client (`admits_client`)."""
    return replace(filters, client=SetFilter(SetOp.IS, (client_id,)))


def _by_status(session: Session, conditions: list[ColumnElement[bool]]) -> dict[str, int]:
    # A NULL status is what the column default calls open (tickets/queries.py does the same).
    status = func.coalesce(tickets.c.status, "open")
    stmt = select(status, func.count()).where(*conditions).group_by(status)
    found = {str(row[0]): int(row[1]) for row in session.execute(stmt).all()}
    return {name: found.get(name, 0) for name in STATUSES}


def member(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    member_id: int,
    *,
    use_rollups: bool | None = None,
) -> MemberDetail | None:
    """The member's team-table row and status counts; None for an unknown id."""
    narrowed = for_member(filters, member_id)
    rows = team_performance.team_performance(session, narrowed, tz, use_rollups=use_rollups).rows
    if not rows:
        return None
    return MemberDetail(
        **rows[0].model_dump(),
        tickets_by_status=_by_status(session, ticket_clauses(narrowed, tz)),
    )


def client(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    client_id: int,
    *,
    use_rollups: bool | None = None,
) -> ClientDetail | None:
    """The client's row of the clients analysis and status counts; None for an unknown id."""
    rows = clients.client_analysis(
        session, filters, tz, page=1, page_size=1, client_id=client_id, use_rollups=use_rollups
    )
    if not rows.rows:
        return None
    conditions = [tickets.c.client_id == client_id, *ticket_clauses(filters, tz)]
    return ClientDetail(
        **rows.rows[0].model_dump(), tickets_by_status=_by_status(session, conditions)
    )


def recent_member_tickets(
    session: Session, filters: TicketFilters, tz: ZoneInfo, member_id: int
) -> Page:
    """The newest of the member's filtered tickets, as the inbox lists them."""
    query = TicketQuery(filters=for_member(filters, member_id), zone=tz, page_size=RECENT_TICKETS)
    return list_tickets(session, query)


def recent_client_tickets(
    session: Session, filters: TicketFilters, tz: ZoneInfo, client_id: int
) -> Page:
    """The newest of the client's filtered tickets, as the inbox lists them."""
    if not admits_client(filters, client_id):
        return Page(rows=[], page=1, page_size=RECENT_TICKETS, total=0)
    query = TicketQuery(filters=for_client(filters, client_id), zone=tz, page_size=RECENT_TICKETS)
    return list_tickets(session, query)
