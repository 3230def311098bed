"""What a ticket was promised, as its client may read it: per target the hours and basis of
the policy row that won for the ticket (most specific first, chosen when `ticket_sla` was
written), the due time, and the state now. Read through the caller's session: a client sees
only its own tickets' rows (RLS on `ticket_sla`), and only these columns, never the policy
table, the plan or the policy row's id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from support_analytics.sla.state import State, Target, state, ticket_sla


@dataclass(frozen=True)
class Promise:
    target: Target
    hours: Decimal
    basis: str
    """`calendar` or `business` hours."""
    due_at: datetime | None
    done_at: datetime | None
    state: State


def promises(session: Session, ticket_id: int, as_of: datetime) -> list[Promise]:
    """The ticket's targets with hours, first response first; none for a ticket the caller
    cannot see or a target the policy leaves open."""
    return promises_of(session, [ticket_id], as_of).get(ticket_id, [])


def promises_of(session: Session, ids: list[int], as_of: datetime) -> dict[int, list[Promise]]:
    """`promises` for several tickets in one read (a list page)."""
    c = ticket_sla.c
    rows = session.execute(
        select(c.ticket_id, c.target, c.target_hours, c.basis, c.due_at, c.done_at, state(as_of))
        .where(c.ticket_id.in_(ids), c.target_hours.is_not(None))
        .order_by(c.ticket_id, c.target)
    ).all()
    out: dict[int, list[Promise]] = {}
    for ticket_id, target, hours, basis, due_at, done_at, now in rows:
        known: Target = "resolution" if target == "resolution" else "first_response"
        out.setdefault(int(ticket_id), []).append(
            Promise(
                target=known,
                hours=Decimal(hours),
                basis=str(basis or "calendar"),
                due_at=due_at,
                done_at=done_at,
                state="met" if now == "met" else "breached" if now == "breached" else "pending",
            )
        )
    return out
