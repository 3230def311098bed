"""Join the two migrations written side by side on 0017: alert notifications as stored live
events (0018: a check constraint on `live_events`) and the SLA cube with finer first-response
bins (0019: new tables, functions, triggers and indexes); neither touches the other's
objects, so their order does not matter.

Revision ID: 0020_merge
Revises: 0018_alert_events, 0019_sla_rollups_fine_bins
Create Date: 2026-11-29
"""

from collections.abc import Sequence

revision: str = "0020_merge"
down_revision: tuple[str, ...] = ("0018_alert_events", "0019_sla_rollups_fine_bins")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
