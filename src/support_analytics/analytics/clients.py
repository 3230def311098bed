"""Client analysis: clients ranked by filtered ticket volume, searchable by name, paginated,
with plan, open tickets, net spend (completed plus refunds) and last ticket date."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, ColumnElement, Integer, and_, func, literal, select
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.definitions import OPEN_STATUSES, SPENT_STATUSES
from support_analytics.analytics.schemas import ClientRow, ClientsPage
from support_analytics.analytics.tables import clients, payments, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import ticket_clauses
from support_analytics.text import contains_pattern

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200


def local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if value is None else value.astimezone(tz)


def clients_from_tickets(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    q: str | None = None,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    client_id: int | None = None,
) -> ClientsPage:
    """Plain SQL over the raw tables."""
    spent = (
        select(func.coalesce(func.sum(payments.c.amount_usd), Decimal("0.00")))
        .where(payments.c.client_id == clients.c.id, payments.c.status.in_(SPENT_STATUSES))
        .scalar_subquery()
    )
    total_tickets = func.count(tickets.c.id)
    where: list[ColumnElement[bool]] = (
        [clients.c.client_name.ilike(contains_pattern(q), escape="\\")] if q else []
    )
    if client_id is not None:
        where.append(clients.c.id == client_id)
    stmt = (
        select(
            clients.c.id,
            clients.c.client_name,
            clients.c.plan_type,
            total_tickets,
            func.count(tickets.c.id).filter(tickets.c.status.in_(OPEN_STATUSES)),
            spent,
            func.max(tickets.c.created_at),
        )
        .select_from(
            clients.outerjoin(
                tickets, and_(tickets.c.client_id == clients.c.id, *ticket_clauses(filters, tz))
            )
        )
        .where(*where)
        .group_by(clients.c.id)
        .order_by(total_tickets.desc(), clients.c.client_name, clients.c.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    total = session.execute(select(func.count()).select_from(clients).where(*where)).scalar_one()
    rows = [
        ClientRow(
            client_id=row[0],
            name=row[1],
            plan_type=row[2],
            total_tickets=row[3],
            open_tickets=row[4],
            total_spent=row[5],
            last_ticket_at=local(row[6], tz),
        )
        for row in session.execute(stmt).all()
    ]
    return ClientsPage(rows=rows, page=page, page_size=page_size, total=int(total))


def _spent(session: Session, client_ids: list[int]) -> dict[int, Decimal]:
    stmt = (
        select(payments.c.client_id, func.sum(payments.c.amount_usd))
        .where(payments.c.client_id.in_(client_ids), payments.c.status.in_(SPENT_STATUSES))
        .group_by(payments.c.client_id)
    )
    return {int(row[0]): Decimal(row[1]) for row in session.execute(stmt).all()}


def _last_ticket(
    session: Session, filters: TicketFilters, tz: ZoneInfo, client_ids: list[int]
) -> dict[int, datetime]:
    """Newest matching ticket per client, one backward index scan each on
    (client_id, created_at)."""
    if not client_ids:
        return {}
    ids = select(func.unnest(literal(client_ids, ARRAY(Integer))).label("id")).subquery()
    newest = (
        select(tickets.c.created_at)
        .where(
            tickets.c.client_id == ids.c.id,
            tickets.c.created_at.is_not(None),
            *ticket_clauses(filters, tz),
        )
        .order_by(tickets.c.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(select(ids.c.id, newest)).all()
    return {int(row[0]): row[1] for row in rows if row[1] is not None}


def clients_from_rollups(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    q: str | None,
    page: int,
    page_size: int,
    client_id: int | None = None,
) -> ClientsPage:
    c = rollups.cube.c
    sums = (
        select(c.client_id, func.sum(c.n), func.sum(c.n_open))
        .where(*rollups.cube_where(filters, basis="c", grouped=("client_id",)))
        .group_by(c.client_id)
    )
    counts = {int(row[0]): (int(row[1]), int(row[2])) for row in session.execute(sums).all()}
    listed = select(clients.c.id, clients.c.client_name, clients.c.plan_type)
    if q:
        listed = listed.where(clients.c.client_name.ilike(contains_pattern(q), escape="\\"))
    if client_id is not None:
        listed = listed.where(clients.c.id == client_id)
    everyone = [(int(r[0]), str(r[1]), r[2]) for r in session.execute(listed).all()]
    everyone.sort(key=lambda r: (-counts.get(r[0], (0, 0))[0], r[1], r[0]))
    start = (page - 1) * page_size
    shown = everyone[start : start + page_size]
    ids = [r[0] for r in shown]
    spent = _spent(session, ids)
    last = _last_ticket(session, filters, tz, ids)
    rows = [
        ClientRow(
            client_id=client_id,
            name=name,
            plan_type=plan,
            total_tickets=counts.get(client_id, (0, 0))[0],
            open_tickets=counts.get(client_id, (0, 0))[1],
            total_spent=spent.get(client_id, Decimal("0.00")),
            last_ticket_at=local(last.get(client_id), tz),
        )
        for client_id, name, plan in shown
    ]
    return ClientsPage(rows=rows, page=page, page_size=page_size, total=len(everyone))


def client_analysis(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    q: str | None = None,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    client_id: int | None = None,
    use_rollups: bool | None = None,
) -> ClientsPage:
    """Clients by filtered ticket volume (desc), then name; `q` searches names, `client_id`
    keeps only that client's row (a client's own page)."""
    if rollups.use_rollups(session, tz, use_rollups):
        return clients_from_rollups(
            session, filters, tz, q=q, page=page, page_size=page_size, client_id=client_id
        )
    return clients_from_tickets(
        session, filters, tz, q=q, page=page, page_size=page_size, client_id=client_id
    )
