"""Client analysis: clients ranked by filtered ticket volume, searchable by name, paginated,
with plan, open tickets, net spend (completed plus refunds) and last ticket date."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from support_analytics.analytics.definitions import OPEN_STATUSES, SPENT_STATUSES
from support_analytics.analytics.schemas import ClientRow, ClientsPage
from support_analytics.analytics.tables import clients, payments, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import ticket_clauses

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200


def name_pattern(q: str) -> str:
    """ILIKE pattern for a case-insensitive "contains", with the user's wildcards escaped."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
) -> ClientsPage:
    """Plain SQL over the raw tables."""
    spent = (
        select(func.coalesce(func.sum(payments.c.amount_usd), Decimal("0.00")))
        .where(payments.c.client_id == clients.c.id, payments.c.status.in_(SPENT_STATUSES))
        .scalar_subquery()
    )
    total_tickets = func.count(tickets.c.id)
    where = [clients.c.client_name.ilike(name_pattern(q), escape="\\")] if q else []
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


def client_analysis(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    q: str | None = None,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> ClientsPage:
    return clients_from_tickets(session, filters, tz, q=q, page=page, page_size=page_size)
