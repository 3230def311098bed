"""The update triggers join a statement's old and new rows with hashes.

Transition tables have no statistics: the planner takes each for a single row, so the
update triggers' joins of old and new rows were nested loops, every old row against every
new one. `analytics_sla_update()` (the SLA rows a statement changed: old rows without an
equal new row, new rows without an equal old one) spent 7 of the 9 s of a 3,000-ticket
priority change on the reference data that way (36 million comparisons), and a bulk change
at 1M tickets took minutes. PL/pgSQL keeps a statement's plan for the session, so on a
connection that first ran small updates the same happened in the ticket triggers' joins of
old and new tickets (`ticket_events_tickets_update`, `ticket_sla_tickets_update`) and of old
and new response facts (`ticket_sla_facts_update`).

Those four functions join nothing but their transition tables (and the one-row zone
setting, a cross join either way): nested loops go off for their calls, so the joins are
hashed on the row's key, linear in the rows changed. The functions they call read the
tables by key (`ticket_response_facts_refresh`, `ticket_sla_refresh`, `ticket_event_actor`)
and keep nested loops, set explicitly, since a function's settings reach what it calls.

Revision ID: 0029_update_triggers_hash
Revises: 0028_sla_speed
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029_update_triggers_hash"
down_revision: str | None = "0028_sla_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_HASHED = (
    "analytics_sla_update()",
    "ticket_events_tickets_update()",
    "ticket_sla_tickets_update()",
    "ticket_sla_facts_update()",
)
_BY_KEY = (
    "ticket_response_facts_refresh(integer[])",
    "ticket_sla_refresh(integer[])",
    "ticket_event_actor()",
)


def upgrade() -> None:
    for function in _HASHED:
        op.execute(f"ALTER FUNCTION {function} SET enable_nestloop = off")
    for function in _BY_KEY:
        op.execute(f"ALTER FUNCTION {function} SET enable_nestloop = on")


def downgrade() -> None:
    for function in (*_HASHED, *_BY_KEY):
        op.execute(f"ALTER FUNCTION {function} RESET enable_nestloop")
