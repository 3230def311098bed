"""Analytics: the overdue list's index of resolved tickets by duration carries every column
the candidate query reads, so it is an index-only ordered scan under any filter.

Per ticket type the list reads the slowest resolved tickets matching the filters. The index
held only the duration expression, so testing an assignee, priority or date meant a heap fetch
per entry and the planner used a BitmapAnd of three indexes instead: at 1M tickets, date
between 2025-06-24 and 2025-07-29 and one assignee, about 10 ms per type; with the covering
index the whole candidate query (both halves, 14 types) took 6.3 ms instead of 161 ms
(measured in a rolled-back transaction). Build time at 1M: 0.7 s.

Revision ID: 0004_doneix
Revises: 0004_openix
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_doneix"
down_revision: str | None = "0004_openix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "tickets (ticket_type_id, (resolved_at - created_at) DESC, id)"
PREDICATE = (
    "WHERE coalesce(status IN ('open', 'in_progress'), false) IS false AND resolved_at IS NOT NULL"
)


def upgrade() -> None:
    op.execute("DROP INDEX analytics_tickets_done_by_duration")
    op.execute(
        f"CREATE INDEX analytics_tickets_done_by_duration ON {KEY} "
        f"INCLUDE (created_at, resolved_at, assigned_to, priority, status) {PREDICATE}"
    )


def downgrade() -> None:
    op.execute("DROP INDEX analytics_tickets_done_by_duration")
    op.execute(f"CREATE INDEX analytics_tickets_done_by_duration ON {KEY} {PREDICATE}")
