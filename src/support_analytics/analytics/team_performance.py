"""Team table: every team member (0 tickets included) with assigned, resolved, mean resolution
hours and mean rating over the filtered tickets; sortable and filterable by every column."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.columns import (
    NumberRange,
    TextMatch,
    parse_number_range,
    parse_sort,
    parse_text,
)
from support_analytics.analytics.definitions import CLOSED_STATUSES, hours_between
from support_analytics.analytics.schemas import TeamPerformance, TeamRow
from support_analytics.analytics.tables import feedback, team_members, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import present
from support_analytics.filters.sql import set_clause, ticket_clauses
from support_analytics.people import display_name

NUMERIC_COLUMNS = ("tickets_assigned", "tickets_resolved", "avg_resolution_hours", "avg_rating")
SORT_COLUMNS = ("team_member_id", "name", *NUMERIC_COLUMNS, "status")
TOP_PERFORMERS = 3


@dataclass(frozen=True)
class TeamTableQuery:
    """Sorting and per-column filters, applied after the filter bar."""

    sort: str = "tickets_assigned"
    descending: bool = True
    name: TextMatch | None = None
    status: TextMatch | None = None
    ranges: dict[str, NumberRange] = field(default_factory=dict)

    def keeps(self, row: TeamRow) -> bool:
        if self.name is not None and not self.name.matches(row.name):
            return False
        if self.status is not None and not self.status.matches(row.status):
            return False
        for column, bounds in self.ranges.items():
            value = getattr(row, column)
            if not bounds.matches(None if value is None else float(value)):
                return False
        return True


DEFAULT_SORT = "-tickets_assigned"
TABLE_PARAMETERS = ("sort", "name", "status", *NUMERIC_COLUMNS)


def team_table_query(params: Mapping[str, str | None]) -> TeamTableQuery:
    """The team table's own parameters (`TABLE_PARAMETERS`), parsed once for the API and the
    page alike; a blank one is no filter (`filters.grammar.present`)."""
    column, descending = parse_sort(present(params.get("sort")) or DEFAULT_SORT, SORT_COLUMNS)
    ranges = {
        key: parse_number_range(key, raw)
        for key in NUMERIC_COLUMNS
        if (raw := present(params.get(key))) is not None
    }
    name, status = present(params.get("name")), present(params.get("status"))
    return TeamTableQuery(
        sort=column,
        descending=descending,
        name=parse_text("name", name) if name is not None else None,
        status=parse_text("status", status) if status is not None else None,
        ranges=ranges,
    )


def rows_from_tickets(session: Session, filters: TicketFilters, tz: ZoneInfo) -> list[TeamRow]:
    """Plain SQL over the raw tables."""
    hours = hours_between(tickets.c.created_at, tickets.c.resolved_at)
    joined = team_members.outerjoin(
        tickets, and_(tickets.c.assigned_to == team_members.c.id, *ticket_clauses(filters, tz))
    ).outerjoin(feedback, feedback.c.ticket_id == tickets.c.id)
    stmt = (
        select(
            team_members.c.id,
            team_members.c.username,
            team_members.c.status,
            func.count(tickets.c.id),
            func.count(tickets.c.id).filter(tickets.c.status.in_(CLOSED_STATUSES)),
            func.avg(hours),
            func.avg(feedback.c.rating),
        )
        .select_from(joined)
        .group_by(team_members.c.id)
        .order_by(team_members.c.id)
    )
    if filters.team_member is not None:
        stmt = stmt.where(set_clause(filters.team_member, team_members.c.id))
    return [
        TeamRow(
            team_member_id=row[0],
            name=display_name(row[1]),
            status=row[2],
            tickets_assigned=row[3],
            tickets_resolved=row[4],
            avg_resolution_hours=None if row[5] is None else float(row[5]),
            avg_rating=None if row[6] is None else float(row[6]),
        )
        for row in session.execute(stmt).all()
    ]


def rows_from_rollups(session: Session, filters: TicketFilters) -> list[TeamRow]:
    c = rollups.cube.c
    sums = (
        select(
            c.assigned_to,
            func.sum(c.n),
            func.sum(c.n_closed),
            func.sum(c.n_resolved),
            func.sum(c.res_hours),
            func.sum(c.n_rating),
            func.sum(c.rating_sum),
        )
        .where(*rollups.cube_where(filters, basis="c", grouped=("assigned_to",)))
        .group_by(c.assigned_to)
    )
    found = {
        int(row[0]): row
        for row in session.execute(sums).all()
        if row[0] is not None  # not in SQL: see `rollups.cube_where`
    }
    members = select(team_members.c.id, team_members.c.username, team_members.c.status).order_by(
        team_members.c.id
    )
    if filters.team_member is not None:
        members = members.where(set_clause(filters.team_member, team_members.c.id))
    rows: list[TeamRow] = []
    for member_id, name, status in session.execute(members).all():
        got = found.get(int(member_id))
        resolved = int(got[3]) if got else 0
        ratings = int(got[5]) if got else 0
        rows.append(
            TeamRow(
                team_member_id=member_id,
                name=display_name(name),
                status=status,
                tickets_assigned=int(got[1]) if got else 0,
                tickets_resolved=int(got[2]) if got else 0,
                avg_resolution_hours=float(got[4]) / resolved if got and resolved else None,
                avg_rating=int(got[6]) / ratings if got and ratings else None,
            )
        )
    return rows


def _sort_key(column: str, row: TeamRow) -> tuple[int, float | str]:
    value = getattr(row, column)
    if value is None:
        return (1, 0.0)
    return (0, value if isinstance(value, str) else float(value))


def arrange(rows: list[TeamRow], query: TeamTableQuery) -> TeamPerformance:
    kept = [row for row in rows if query.keeps(row)]
    present = [row for row in kept if getattr(row, query.sort) is not None]
    missing = [row for row in kept if getattr(row, query.sort) is None]
    present.sort(key=lambda row: row.team_member_id)
    present.sort(key=lambda row: _sort_key(query.sort, row)[1], reverse=query.descending)
    # A star needs a real comparison: more resolved tickets than the median of the rows shown
    # (so a lone row, or every row of a tie, is never starred).
    median = statistics.median(row.tickets_resolved for row in kept) if kept else 0
    ranked = sorted(
        (row for row in kept if row.tickets_resolved > median),
        key=lambda row: (-row.tickets_resolved, -(row.avg_rating or 0.0), row.team_member_id),
    )
    return TeamPerformance(
        rows=present + missing,
        top_performer_ids=[row.team_member_id for row in ranked[:TOP_PERFORMERS]],
    )


def team_performance(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    query: TeamTableQuery | None = None,
    *,
    use_rollups: bool | None = None,
) -> TeamPerformance:
    """Rows sorted by `query.sort` (NULLs last, ties by id), kept by its column filters."""
    if rollups.use_rollups(session, tz, use_rollups):
        rows = rows_from_rollups(session, filters)
    else:
        rows = rows_from_tickets(session, filters, tz)
    return arrange(rows, query or TeamTableQuery())
