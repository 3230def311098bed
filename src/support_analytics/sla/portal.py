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

from support_analytics.sla.state import TARGETS, State, Target, state, ticket_sla


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
    c = ticket_sla.c
    rows = session.execute(
        select(c.target, c.target_hours, c.basis, c.due_at, c.done_at, state(as_of)).where(
            c.ticket_id == ticket_id, c.target_hours.is_not(None)
        )
    ).all()
    found = {str(r[0]): r for r in rows}
    out: list[Promise] = []
    for target in TARGETS:
        row = found.get(target)
        if row is None:
            continue
        out.append(
            Promise(
                target=target,
                hours=Decimal(row[1]),
                basis=str(row[2] or "calendar"),
                due_at=row[3],
                done_at=row[4],
                state="met"
                if row[5] == "met"
                else "breached"
                if row[5] == "breached"
                else "pending",
            )
        )
    return out
