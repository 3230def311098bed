"""Join the four migrations written side by side on 0011: alerts (0012), digests with
preferences and link mail (0013), the SLA recompute queue (0014) and the stored live events
(0016) create their own tables and functions and replace none of each other's, so their order
does not matter; from here the history is one line again. (0015 was set aside for the inbox
and not needed.)

Revision ID: 0017_merge
Revises: 0012_alerts, 0013_digests, 0014_sla_recompute, 0016_live_events
Create Date: 2026-11-29
"""

from collections.abc import Sequence

revision: str = "0017_merge"
down_revision: tuple[str, ...] = (
    "0012_alerts",
    "0013_digests",
    "0014_sla_recompute",
    "0016_live_events",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
