"""Join the three migrations written side by side on 0021: the first-response histogram with
the priority summed away (0022: a new table and statement triggers on `analytics_frt_hist`),
the SLA cube's client grouping (0023: a column of `analytics_sla_cube`, its trigger functions
and rebuild) and the session resolver's timezone with the alert key moved into
`signing_keys` (0024); none touches another's objects, so their order does not matter.

Revision ID: 0025_merge
Revises: 0022_response_coarse_bins, 0023_sla_cube_client, 0024_session_timezone
Create Date: 2026-11-29
"""

from collections.abc import Sequence

revision: str = "0025_merge"
down_revision: tuple[str, ...] = (
    "0022_response_coarse_bins",
    "0023_sla_cube_client",
    "0024_session_timezone",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
