"""Reads shared by the portal, the inbox and the JSON API. Every function takes the request's
session, so row-level security decides which tickets exist for the caller: a client asking for
another client's ticket gets `None` here, exactly as if it did not exist."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, UnaryExpression, and_, case, func, or_, select
from sqlalchemy.orm import Session

from support_analytics.db.models import (
    Client,
    TeamMember,
    Ticket,
    TicketFeedback,
    TicketMessage,
    TicketType,
)
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import ascii_id
from support_analytics.filters.sql import ticket_clauses
from support_analytics.people import display_name
from support_analytics.text import contains_pattern
from support_analytics.tickets.list_filters import ListFilters, list_filter_clauses
from support_analytics.tickets.schemas import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from support_analytics.tickets.status import PRIORITIES, STATUSES, Status


@dataclass(frozen=True)
class TicketRow:
    id: int
    client_id: int
    client_name: str | None
    title: str
    status: str | None
    priority: str | None
    ticket_type_id: int
    type_name: str | None
    assigned_to: int | None
    assignee_name: str | None
    created_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class MessageRow:
    id: int
    from_client: bool
    from_team_member_id: int | None
    author_name: str | None
    text: str
    created_at: datetime | None


@dataclass(frozen=True)
class FeedbackRow:
    rating: int | None
    text: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class TicketDetail:
    ticket: TicketRow
    messages: list[MessageRow]
    feedback: FeedbackRow | None


@dataclass(frozen=True)
class TicketQuery:
    """What a list asks for, as plain values: the analytics filter bar (`filters`) and the
    list's rating / resolution-day filters (`narrowing`), whose days are in `zone`. They
    become SQL here (`where_clauses`, through `filters.sql`), so the inbox and a dashboard
    click-through select the same tickets."""

    statuses: tuple[Status, ...] = ()
    client_ids: tuple[int, ...] = ()
    q: str | None = None
    filters: TicketFilters = field(default_factory=TicketFilters)
    narrowing: ListFilters = field(default_factory=ListFilters)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    sort: str | None = None
    """One of `SORT_COLUMNS`: the user's choice of order, over the defaults above."""
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE_DEFAULT

    @property
    def by_resolution(self) -> bool:
        """Order by resolution time instead of creation time (a list of tickets resolved in
        a window: see `order`)."""
        return self.narrowing.resolved is not None


@dataclass(frozen=True)
class Page:
    rows: list[TicketRow]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Option:
    id: int
    name: str
    hint: str | None = None


def search_clause(q: str) -> ColumnElement[bool]:
    """Title or any message contains `q` (case-insensitive); `#123` or `123` also matches the
    ticket with that id."""
    pattern = contains_pattern(q)
    # ticket_search_ids (migration 0005_search) matches through the trigram indexes, which RLS would
    # keep ILIKE from using; it returns only ids the caller may see, and the outer query reads
    # the tickets through RLS again.
    matches = func.ticket_search_ids(pattern).column_valued("ticket_id")
    clauses: list[ColumnElement[bool]] = [Ticket.id.in_(select(matches))]
    ticket_id = ascii_id(q.removeprefix("#"))
    if ticket_id is not None:
        clauses.append(Ticket.id == ticket_id)
    return or_(*clauses)


def where_clauses(query: TicketQuery) -> list[ColumnElement[bool]]:
    where = [
        *ticket_clauses(query.filters, query.zone),
        *list_filter_clauses(query.narrowing, query.zone),
    ]
    if query.statuses:
        wanted = [s.value for s in query.statuses]
        if Status.OPEN in query.statuses:
            # NULL status is what the column default calls open.
            where.append(or_(Ticket.status.in_(wanted), Ticket.status.is_(None)))
        else:
            where.append(Ticket.status.in_(wanted))
    if query.client_ids:
        where.append(Ticket.client_id.in_(query.client_ids))
    if query.q and query.q.strip():
        where.append(search_clause(query.q.strip()))
    return where


def _row_select() -> Select[Ticket, str, str, str]:
    return (
        select(Ticket, Client.client_name, TicketType.type_name, TeamMember.username)
        .outerjoin(Client, Client.id == Ticket.client_id)
        .outerjoin(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(TeamMember, TeamMember.id == Ticket.assigned_to)
    )


def _to_row(
    ticket: Ticket, client: str | None, type_name: str | None, who: str | None
) -> TicketRow:
    return TicketRow(
        id=ticket.id,
        client_id=ticket.client_id,
        client_name=client,
        title=ticket.title,
        status=ticket.status,
        priority=ticket.priority,
        ticket_type_id=ticket.ticket_type_id,
        type_name=type_name,
        assigned_to=ticket.assigned_to,
        assignee_name=None if who is None else display_name(who),
        created_at=ticket.created_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
    )


def clamp_page(page: int, page_size: int) -> tuple[int, int]:
    return max(1, page), min(max(1, page_size), PAGE_SIZE_MAX)


# Newest first. Plain DESC (NULLs first, which only a hand-written NULL created_at can be) lets
# PostgreSQL walk idx_tickets_created_at backwards instead of sorting every visible ticket.
NEWEST_FIRST = (Ticket.created_at.desc(), Ticket.id.desc())
# Resolution day lists walk idx_tickets_resolved_at instead. Ordered by creation, a month of
# resolutions sat ~600k index entries down the creation index at 1M tickets (277 ms vs 12 ms
# for a page): the planner assumes matches are spread evenly, but resolution follows creation.
LAST_RESOLVED_FIRST = (Ticket.resolved_at.desc(), Ticket.id.desc())


_PRIORITY_RANK = case(
    {p.value: i for i, p in enumerate(PRIORITIES)}, value=Ticket.priority, else_=None
)
_STATUS_RANK = case({s.value: i for i, s in enumerate(STATUSES)}, value=Ticket.status, else_=None)
# Every inbox column, by what it shows: priorities and statuses in their working order, people
# and clients by name. NULLs (no assignee, not resolved) go last either way; ties by id.
Sortable = ColumnElement[int] | ColumnElement[str] | ColumnElement[datetime | None]
OrderTerm = (
    UnaryExpression[int]
    | UnaryExpression[str]
    | UnaryExpression[datetime]
    | UnaryExpression[datetime | None]
)
SORTABLE: dict[str, Sortable] = {
    "id": Ticket.id.expression,
    "title": Ticket.title.expression,
    "client": Client.client_name.expression,
    "type": TicketType.type_name.expression,
    "priority": _PRIORITY_RANK,
    "status": _STATUS_RANK,
    "assignee": TeamMember.username.expression,
    "created": Ticket.created_at.expression,
    "resolved": Ticket.resolved_at.expression,
}
SORT_COLUMNS = tuple(SORTABLE)


def order(query: TicketQuery) -> tuple[OrderTerm, ...]:
    if query.sort is not None:
        column = SORTABLE[query.sort]
        tie = Ticket.id.desc() if query.descending else Ticket.id.asc()
        first = column.desc() if query.descending else column.asc()
        return (first.nulls_last(), tie)
    return LAST_RESOLVED_FIRST if query.by_resolution else NEWEST_FIRST


def list_tickets(session: Session, query: TicketQuery) -> Page:
    page, page_size = clamp_page(query.page, query.page_size)
    where = where_clauses(query)
    total = session.execute(
        select(func.count()).select_from(Ticket).where(and_(True, *where))
    ).scalar_one()
    stmt = (
        _row_select()
        .where(and_(True, *where))
        .order_by(*order(query))
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = [_to_row(*r) for r in session.execute(stmt)]
    return Page(rows=rows, page=page, page_size=page_size, total=int(total))


def stream_rows(session: Session, query: TicketQuery, *, batch: int) -> Iterator[list[TicketRow]]:
    """Every matching row in the list's order (CSV export ignores pagination), `batch` rows at
    a time from a server-side cursor: memory holds one batch, not the list."""
    stmt = (
        _row_select()
        .where(and_(True, *where_clauses(query)))
        .order_by(*order(query))
        .execution_options(yield_per=batch)
    )
    for partition in session.execute(stmt).partitions():
        yield [_to_row(*r) for r in partition]


def ticket_rows(session: Session, ids: list[int]) -> list[TicketRow]:
    """The list rows of `ids` the caller can see, in the order of `ids`."""
    found = {
        r.id: r
        for r in (_to_row(*f) for f in session.execute(_row_select().where(Ticket.id.in_(ids))))
    }
    return [found[i] for i in ids if i in found]


def get_ticket(session: Session, ticket_id: int) -> TicketDetail | None:
    if not 1 <= ticket_id <= 2_147_483_647:
        return None
    found = session.execute(_row_select().where(Ticket.id == ticket_id)).first()
    if found is None:
        return None
    messages = session.execute(
        select(TicketMessage, TeamMember.username)
        .outerjoin(TeamMember, TeamMember.id == TicketMessage.from_team_member_id)
        .where(TicketMessage.ticket_id == ticket_id)
        .order_by(TicketMessage.created_at.asc().nulls_first(), TicketMessage.id.asc())
    )
    feedback = session.execute(
        select(TicketFeedback).where(TicketFeedback.ticket_id == ticket_id)
    ).scalar_one_or_none()
    return TicketDetail(
        ticket=_to_row(*found),
        messages=[
            MessageRow(
                id=m.id,
                from_client=bool(m.from_client),
                from_team_member_id=m.from_team_member_id,
                author_name=None if who is None else display_name(who),
                text=m.message_text,
                created_at=m.created_at,
            )
            for m, who in messages
        ],
        feedback=None
        if feedback is None
        else FeedbackRow(
            rating=feedback.rating, text=feedback.feedback_text, created_at=feedback.created_at
        ),
    )


def ticket_types(session: Session) -> list[Option]:
    rows = session.execute(
        select(TicketType.id, TicketType.type_name, TicketType.priority).order_by(
            TicketType.type_name
        )
    )
    return [Option(id=i, name=n, hint=p) for i, n, p in rows]


def team_members(session: Session) -> list[Option]:
    rows = session.execute(
        select(TeamMember.id, TeamMember.username, TeamMember.department).order_by(
            TeamMember.username
        )
    )
    return sorted(
        (Option(id=i, name=display_name(n), hint=d) for i, n, d in rows), key=lambda o: o.name
    )


def clients(session: Session) -> list[Option]:
    rows = session.execute(select(Client.id, Client.client_name).order_by(Client.client_name))
    return [Option(id=i, name=n) for i, n in rows]
