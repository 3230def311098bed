"""Analytics: an index on resolution rows by type and assignee.

With assignee *and* type filtered, the hours histogram has no slice, and the percentiles number
the filtered resolution rows instead. That scanned every resolution row (the only index leads
with priority): at 1M tickets, type is:10 and four assignees, a 700k-row sequential scan for 13k
rows, 61 ms; with this index an index-only range of the 13k rows, 26 ms (sorting them is now
most of it). Negative filters (none_of) still read most rows either way.

Revision ID: 0004_resix
Revises: 0004_serial
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_resix"
down_revision: str | None = "0004_serial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX analytics_resolution_type_member ON analytics_resolution "
        "(ticket_type_id, assigned_to, priority, bin, hours) INCLUDE (cday)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS analytics_resolution_type_member")
