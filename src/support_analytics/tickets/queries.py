"""Reads shared by the portal, the inbox and the JSON API. Every function takes the request's
session, so row-level security decides which tickets exist for the caller: a client asking for
another client's ticket gets `None` here, exactly as if it did not exist."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    UnaryExpression,
    and_,
    case,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import DateTime, String

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
from support_analytics.sla.state import (
    DEFAULT_WINDOW,
    Target,
    at_risk_clause,
    breached_clause,
    met_clause,
    state,
    ticket_sla,
)
from support_analytics.text import contains_pattern
from support_analytics.tickets.list_filters import ListFilters, list_filter_clauses
from support_analytics.tickets.schemas import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from support_analytics.tickets.status import PRIORITIES, STATUSES, Status

SlaDueState = Literal["pending", "at_risk", "breached", "met"]
SLA_DUE_STATES: tuple[SlaDueState, ...] = ("pending", "at_risk", "breached", "met")


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
    sla_due_at: datetime | None = None
    """The due time of the ticket's next SLA clock still running (`next_sla`)."""
    sla_state: SlaDueState | None = None
    last_client_message_at: datetime | None = None
    """When the client last wrote on the ticket (None: never)."""


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
    q: str | None = None
    filters: TicketFilters = field(default_factory=TicketFilters)
    narrowing: ListFilters = field(default_factory=ListFilters)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    sort: str | None = None
    """One of `SORT_COLUMNS`: the user's choice of order, over the defaults above."""
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE_DEFAULT
    sla: SlaDueState | None = None
    """Only tickets whose SLA state (`next_sla`) is this one, e.g. the "At risk" view."""
    sla_target: Target | None = None
    """With `sla`: the state of this one target instead (e.g. first response breached)."""
    as_of: datetime | None = None
    """The instant SLA states are read at (None: now)."""

    @property
    def instant(self) -> datetime:
        return self.as_of or datetime.now(UTC)

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
    if query.q and query.q.strip():
        where.append(search_clause(query.q.strip()))
    if query.sla is not None:
        where.append(
            sla_state_clause(query.sla, query.instant)
            if query.sla_target is None
            else target_state_clause(query.sla_target, query.sla, query.instant)
        )
    return where


# When the client last wrote: one descent of idx_ticket_messages_ticket_id per ticket shown (a
# ticket has a handful of messages). ticket_response_facts keeps the last message's time only
# when the client wrote last, not the client's last message once the team has answered.
LAST_CLIENT_MESSAGE = (
    select(func.max(TicketMessage.created_at))
    .where(TicketMessage.ticket_id == Ticket.id, TicketMessage.from_client.is_(True))
    .scalar_subquery()
)


# A ticket's SLA in one word, from its `ticket_sla` rows (one per target) at an instant:
# while a clock runs, the state of the next due time (the earliest among running clocks, so
# a running clock past due always shows): breached, at_risk (due within the window) or
# pending; once every clock has stopped, breached if a target was missed, else met. Running
# clocks without a target are pending. `sla.state` defines met and breached per target.
_sla = ticket_sla.c
_RUNNING = and_(_sla.running.is_(True), _sla.done_at.is_(None))
# The next due time: two primary-key probes of ticket_sla per ticket.
NEXT_SLA_DUE = (
    select(func.min(_sla.due_at))
    .where(_sla.ticket_id == Ticket.id, _RUNNING, _sla.due_at.is_not(None))
    .scalar_subquery()
)


Aggregates = tuple[
    ColumnElement[datetime | None],
    ColumnElement[bool | None],
    ColumnElement[bool | None],
    ColumnElement[bool | None],
]


def _sla_aggregates(as_of: datetime) -> Aggregates:
    per_target = state(as_of)
    return (
        func.min(_sla.due_at).filter(_RUNNING, _sla.due_at.is_not(None)),
        func.bool_or(and_(_sla.done_at.is_not(None), per_target == "breached")),
        func.bool_or(per_target == "met"),
        func.bool_or(_RUNNING),
    )


def _sla_state(
    aggregates: Aggregates, as_of: datetime, window: timedelta = DEFAULT_WINDOW
) -> ColumnElement[str]:
    next_due, missed, met, running = aggregates
    return case(
        (next_due < as_of, literal("breached")),
        (next_due <= as_of + window, literal("at_risk")),
        (next_due.is_not(None), literal("pending")),
        (missed.is_(True), literal("breached")),
        (running.is_(True), literal("pending")),
        (met.is_(True), literal("met")),
        else_=null(),
    )


def sla_state_clause(wanted: SlaDueState, as_of: datetime) -> ColumnElement[bool]:
    """Tickets whose SLA state at `as_of` is `wanted`."""
    aggregates = _sla_aggregates(as_of)
    having = _sla_state(aggregates, as_of) == wanted
    if wanted == "at_risk":
        # Through the index of running clocks by due time: a clock due within the window and
        # none past due.
        soon = select(_sla.ticket_id).where(at_risk_clause(as_of, DEFAULT_WINDOW))
        late = select(_sla.ticket_id).where(_RUNNING, _sla.due_at < as_of)
        return and_(Ticket.id.in_(soon), Ticket.id.not_in(late))
    if wanted == "breached":
        # A running clock past due, or a target missed and no running clock with a due time.
        late = select(_sla.ticket_id).where(_RUNNING, _sla.due_at < as_of)
        missed = select(_sla.ticket_id).where(_sla.done_at > _sla.due_at)
        due = select(_sla.ticket_id).where(_RUNNING, _sla.due_at.is_not(None))
        return or_(Ticket.id.in_(late), and_(Ticket.id.in_(missed), Ticket.id.not_in(due)))
    return Ticket.id.in_(select(_sla.ticket_id).group_by(_sla.ticket_id).having(having))


def target_state_clause(
    target: Target, wanted: SlaDueState, as_of: datetime
) -> ColumnElement[bool]:
    """Tickets whose `target` is in state `wanted` at `as_of`, as `sla.state` defines it per
    target; at_risk is the running clock due within the window, and pending leaves it out as
    the list's one-word state does."""
    at_risk = func.coalesce(at_risk_clause(as_of, DEFAULT_WINDOW), False)
    chosen = {
        "met": met_clause(),
        "breached": breached_clause(as_of),
        "at_risk": at_risk,
        "pending": and_(state(as_of) == "pending", not_(at_risk)),
    }[wanted]
    return Ticket.id.in_(select(_sla.ticket_id).where(_sla.target == target, chosen))


_TIMESTAMP = DateTime(timezone=True)


def _row_select(as_of: datetime, *, extras: bool = True) -> Select[*Found]:
    """The list's columns; `extras`: also the SLA due time and state and the client's last
    message (the CSV export leaves them out: its columns are the ticket's own)."""
    if not extras:
        return (
            select(
                Ticket,
                Client.client_name,
                TicketType.type_name,
                TeamMember.username,
                type_coerce(null(), _TIMESTAMP).label("sla_due_at"),
                type_coerce(null(), String).label("sla_state"),
                type_coerce(null(), _TIMESTAMP).label("last_client_message_at"),
            )
            .outerjoin(Client, Client.id == Ticket.client_id)
            .outerjoin(TicketType, TicketType.id == Ticket.ticket_type_id)
            .outerjoin(TeamMember, TeamMember.id == Ticket.assigned_to)
        )
    # Scalar subqueries in the select list, not joins: under ORDER BY ... LIMIT PostgreSQL
    # evaluates them for the page's rows only, after the sort.
    sla_state = (
        select(_sla_state(_sla_aggregates(as_of), as_of))
        .where(_sla.ticket_id == Ticket.id)
        .scalar_subquery()
    )
    return (
        select(
            Ticket,
            Client.client_name,
            TicketType.type_name,
            TeamMember.username,
            NEXT_SLA_DUE,
            sla_state,
            LAST_CLIENT_MESSAGE,
        )
        .outerjoin(Client, Client.id == Ticket.client_id)
        .outerjoin(TicketType, TicketType.id == Ticket.ticket_type_id)
        .outerjoin(TeamMember, TeamMember.id == Ticket.assigned_to)
    )


# Sorting by these reads every visible ticket's value: one grouped pass over the running
# clocks or the client's messages, hash-joined, instead of a probe per ticket.
_NEXT_DUE_BY_TICKET = (
    select(_sla.ticket_id, func.min(_sla.due_at).label("at"))
    .where(_RUNNING, _sla.due_at.is_not(None))
    .group_by(_sla.ticket_id)
    .subquery("next_sla_due")
)
_LAST_CLIENT_BY_TICKET = (
    select(TicketMessage.ticket_id, func.max(TicketMessage.created_at).label("at"))
    .where(TicketMessage.from_client.is_(True))
    .group_by(TicketMessage.ticket_id)
    .subquery("last_client_message")
)
_JOINED_SORTS = {"sla_due": _NEXT_DUE_BY_TICKET, "client_message": _LAST_CLIENT_BY_TICKET}


def _sort_join(stmt: Select[*Found], query: TicketQuery) -> Select[*Found]:
    joined = _JOINED_SORTS.get(query.sort or "")
    if joined is None:
        return stmt
    return stmt.outerjoin(joined, joined.c.ticket_id == Ticket.id)


Found = tuple[Ticket, str, str, str, datetime | None, str | None, datetime | None]


def _to_row(found: Found) -> TicketRow:
    ticket, client, type_name, who, sla_due_at, sla_state, last_client_message_at = found
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
        sla_due_at=sla_due_at,
        sla_state=_due_state(sla_state),
        last_client_message_at=last_client_message_at,
    )


def _due_state(value: str | None) -> SlaDueState | None:
    for known in SLA_DUE_STATES:
        if value == known:
            return known
    return None


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
    "sla_due": _NEXT_DUE_BY_TICKET.c.at,
    "client_message": _LAST_CLIENT_BY_TICKET.c.at,
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
        _sort_join(_row_select(query.instant), query)
        .where(and_(True, *where))
        .order_by(*order(query))
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = [_to_row(r) for r in session.execute(stmt)]
    return Page(rows=rows, page=page, page_size=page_size, total=int(total))


def stream_rows(session: Session, query: TicketQuery, *, batch: int) -> Iterator[list[TicketRow]]:
    """Every matching row in the list's order (CSV export ignores pagination), `batch` rows at
    a time from a server-side cursor: memory holds one batch, not the list."""
    stmt = (
        _sort_join(_row_select(query.instant, extras=False), query)
        .where(and_(True, *where_clauses(query)))
        .order_by(*order(query))
        .execution_options(yield_per=batch)
    )
    for partition in session.execute(stmt).partitions():
        yield [_to_row(r) for r in partition]


def ticket_rows(session: Session, ids: list[int]) -> list[TicketRow]:
    """The list rows of `ids` the caller can see, in the order of `ids`."""
    stmt = _row_select(datetime.now(UTC)).where(Ticket.id.in_(ids))
    found = {r.id: r for r in (_to_row(f) for f in session.execute(stmt))}
    return [found[i] for i in ids if i in found]


def get_ticket(session: Session, ticket_id: int) -> TicketDetail | None:
    if not 1 <= ticket_id <= 2_147_483_647:
        return None
    stmt = _row_select(datetime.now(UTC)).where(Ticket.id == ticket_id)
    found = session.execute(stmt).first()
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
        ticket=_to_row(found),
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
