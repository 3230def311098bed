"""The facts' (bin, FRT) indexes with the creation instant as their last key column, not an
included one: `(frt_bin, frt_hours, created_at)`, and the same after `priority` and after
`assigned_to`.

An exact percentile reads one fact at an offset inside an FRT bin along these indexes, and
checks first whether the bin's filtered facts all have one FRT (its first and last equal:
then that is the value at every offset; `response_rollups._read_stmt`). Among equal FRTs
the entries were in heap order, so under a date filter finding the first fact inside the
range walked every fact before it: on the reference data, where one bin holds 42,490
tickets all answered in exactly 30 minutes, 1-3 ms an end and 6-17 ms a read at an offset.
With the instant in the key, equal FRTs are ordered by it, and PostgreSQL 18 skips to the
range within each FRT (a skip scan): the reference data's percentile reads went from
11-17 ms to 0.3-0.5 ms. The indexes are as large as before (the instant moves from the
included columns to the key).

Revision ID: 0031_frt_read_indexes
Revises: 0030_frt_wide_bins
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031_frt_read_indexes"
down_revision: str | None = "0030_frt_wide_bins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROP = """
DROP INDEX idx_response_facts_frt;
DROP INDEX idx_response_facts_priority_frt;
DROP INDEX idx_response_facts_member_frt;
"""


def upgrade() -> None:
    op.execute(_DROP)
    op.execute(
        """
CREATE INDEX idx_response_facts_frt ON ticket_response_facts (frt_bin, frt_hours, created_at)
  INCLUDE (priority, assigned_to, ticket_type_id) WHERE frt_hours IS NOT NULL;
CREATE INDEX idx_response_facts_priority_frt ON ticket_response_facts
  (priority, frt_bin, frt_hours, created_at) INCLUDE (assigned_to, ticket_type_id)
  WHERE frt_hours IS NOT NULL;
CREATE INDEX idx_response_facts_member_frt ON ticket_response_facts
  (assigned_to, frt_bin, frt_hours, created_at) INCLUDE (priority, ticket_type_id)
  WHERE frt_hours IS NOT NULL;
"""
    )


def downgrade() -> None:
    op.execute(_DROP)
    op.execute(
        """
CREATE INDEX idx_response_facts_frt ON ticket_response_facts (frt_bin, frt_hours)
  INCLUDE (created_at, priority, assigned_to, ticket_type_id) WHERE frt_hours IS NOT NULL;
CREATE INDEX idx_response_facts_priority_frt ON ticket_response_facts
  (priority, frt_bin, frt_hours) INCLUDE (created_at, assigned_to, ticket_type_id)
  WHERE frt_hours IS NOT NULL;
CREATE INDEX idx_response_facts_member_frt ON ticket_response_facts
  (assigned_to, frt_bin, frt_hours) INCLUDE (created_at, priority, ticket_type_id)
  WHERE frt_hours IS NOT NULL;
"""
    )
