"""SLA state per ticket and target, read from `ticket_sla` (migration 0009_sla).

`ticket_sla` holds, per ticket and target (`first_response`, `resolution`), the due time
(NULL: no target), when the clock stopped (`done_at`) and whether it still runs. The state
depends on the instant of reading, so it is derived here, never stored:

- met: stopped at or before its due time (or stopped with no target);
- breached: stopped after its due time, or still running past it;
- pending: everything else (running and not due yet, or no target yet);
- at risk: pending, running and due within the window after the instant of reading.

Compliance = met / (met + breached); pending tickets are left out of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from support_analytics.analytics.definitions import hours_between
from support_analytics.analytics.tables import tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import TicketColumns, ticket_clauses
from support_analytics.sla import recompute
from support_analytics.sla.schemas import SlaBlock, SlaBreachesPage, SlaBreachRow, SlaTarget

Target = Literal["first_response", "resolution"]
State = Literal["met", "breached", "pending"]
BreachState = Literal["breached", "at_risk"]
TARGETS: tuple[Target, ...] = ("first_response", "resolution")
DEFAULT_WINDOW = timedelta(hours=1)
DEFAULT_PAGE_SIZE = 20

_metadata = MetaData()

ticket_sla = Table(
    "ticket_sla",
    _metadata,
    Column("ticket_id", Integer, primary_key=True),
    Column("target", String, primary_key=True),
    Column("created_at", DateTime(timezone=True)),
    Column("client_id", Integer),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer),
    Column("priority", String(20)),
    Column("status", String(50)),
    Column("plan", String(50)),
    Column("policy_id", Integer),
    Column("target_hours", Numeric(10, 4)),
    Column("basis", String),
    Column("due_at", DateTime(timezone=True)),
    Column("done_at", DateTime(timezone=True)),
    Column("running", Boolean),
)

SLA_COLUMNS = TicketColumns(
    created_at=ticket_sla.c.created_at,
    assigned_to=ticket_sla.c.assigned_to,
    ticket_type_id=ticket_sla.c.ticket_type_id,
    priority=ticket_sla.c.priority,
    client_id=ticket_sla.c.client_id,
)


def met_clause() -> ColumnElement[bool]:
    c = ticket_sla.c
    return and_(c.done_at.is_not(None), or_(c.due_at.is_(None), c.done_at <= c.due_at))


def breached_clause(as_of: datetime) -> ColumnElement[bool]:
    c = ticket_sla.c
    return or_(
        and_(c.done_at.is_not(None), c.done_at > c.due_at),
        and_(c.done_at.is_(None), c.running.is_(True), c.due_at < as_of),
    )


def at_risk_clause(as_of: datetime, window: timedelta) -> ColumnElement[bool]:
    c = ticket_sla.c
    return and_(
        c.done_at.is_(None),
        c.running.is_(True),
        c.due_at >= as_of,
        c.due_at <= as_of + window,
    )


def state(as_of: datetime) -> ColumnElement[str]:
    """'met', 'breached' or 'pending' at `as_of`, one SQL expression."""
    return case(
        (met_clause(), literal("met")),
        (breached_clause(as_of), literal("breached")),
        else_=literal("pending"),
    )


def pct(met: int, breached: int) -> float | None:
    return None if met + breached == 0 else 100.0 * met / (met + breached)


def targets(
    session: Session, where: Sequence[ColumnElement[bool]], as_of: datetime
) -> dict[Target, SlaTarget]:
    """met / breached / pending and compliance per target over the `ticket_sla` rows `where`
    admits (and the caller's row-level security)."""
    c = ticket_sla.c
    stmt = (
        select(
            c.target,
            func.count().filter(met_clause()),
            func.count().filter(breached_clause(as_of)),
            func.count(),
        )
        .where(*where)
        .group_by(c.target)
    )
    counts = {str(row[0]): (int(row[1]), int(row[2]), int(row[3])) for row in session.execute(stmt)}
    out: dict[Target, SlaTarget] = {}
    for target in TARGETS:
        met, breached, total = counts.get(target, (0, 0, 0))
        out[target] = SlaTarget(
            met=met,
            breached=breached,
            pending=total - met - breached,
            compliance_pct=pct(met, breached),
        )
    return out


def sla_block(
    session: Session, filters: TicketFilters, tz: ZoneInfo, *, as_of: datetime | None = None
) -> SlaBlock:
    """met / breached / pending and compliance per target, for the tickets the filter admits
    (creation day in the reporting zone)."""
    found = targets(session, ticket_clauses(filters, tz, SLA_COLUMNS), as_of or datetime.now(UTC))
    return SlaBlock(
        first_response=found["first_response"],
        resolution=found["resolution"],
        recomputing=recompute.unfinished(session),
    )


def breaches(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    which: BreachState,
    target: Target,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    window: timedelta = DEFAULT_WINDOW,
    as_of: datetime | None = None,
) -> SlaBreachesPage:
    """Breached or at-risk tickets for one target, worst first: most hours past the due time
    (at risk: least time left, `over_by_hours` negative), then ticket id."""
    now = as_of or datetime.now(UTC)
    c = ticket_sla.c
    chosen = breached_clause(now) if which == "breached" else at_risk_clause(now, window)
    over = hours_between(c.due_at, func.coalesce(c.done_at, literal(now)))
    where = [c.target == target, chosen, *ticket_clauses(filters, tz, SLA_COLUMNS)]
    stmt = (
        select(
            c.ticket_id,
            tickets.c.title,
            c.priority,
            c.client_id,
            c.assigned_to,
            c.due_at,
            over.label("over"),
        )
        .select_from(ticket_sla.join(tickets, tickets.c.id == c.ticket_id))
        .where(*where)
        .order_by(over.desc(), c.ticket_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    label: str = "breached" if which == "breached" else "at_risk"
    rows = [
        SlaBreachRow(
            ticket_id=int(row[0]),
            title=row[1],
            priority=row[2],
            client_id=row[3],
            assigned_to=row[4],
            target=target,
            due_at=row[5].astimezone(tz),
            state=label,
            over_by_hours=float(row[6]),
        )
        for row in session.execute(stmt)
    ]
    total = session.execute(select(func.count()).select_from(ticket_sla).where(*where)).scalar_one()
    return SlaBreachesPage(
        rows=rows,
        page=page,
        page_size=page_size,
        total=int(total),
        recomputing=recompute.unfinished(session),
    )
