"""Analytics: no parallel workers for scans of the rollup tables.

Every read of a rollup is an index range of a few thousand rows at most, done in a few
milliseconds by one process. The planner still chose parallel bitmap scans for some of them
(the hours histogram with a date range at 1M tickets), and starting workers on a busy 2-core
machine cost tens of milliseconds: measured 88 ms with workers against 24 ms without for the
same statement. `parallel_workers = 0` on the table forbids them for these tables only; the raw
fallback and plain-SQL reads of `tickets` keep their parallel plans.

Revision ID: 0004_serial
Revises: 0004_weeks
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_serial"
down_revision: str | None = "0004_weeks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("analytics_cube", "analytics_resolution", "analytics_hours_hist")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET (parallel_workers = 0)")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (parallel_workers)")
