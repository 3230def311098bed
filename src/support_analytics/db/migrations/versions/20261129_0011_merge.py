"""Join the three migrations written side by side on 0007: the response rollups (0008), SLAs
(0009) and jobs with saved views (0010) touch different tables, so their order does not
matter; from here the history is one line again.

Revision ID: 0011_merge
Revises: 0008_response_rollups, 0009_sla, 0010_jobs
Create Date: 2026-11-29
"""

from collections.abc import Sequence

revision: str = "0011_merge"
down_revision: tuple[str, ...] = ("0008_response_rollups", "0009_sla", "0010_jobs")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
