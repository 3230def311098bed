"""A client reads the response facts of its own company's tickets (`ticket_response_facts`),
as it reads those tickets, their messages and their SLA rows: the client's service report
then takes first replies from the one table the analytics use, instead of computing them
again from the messages. Nothing new is exposed: every column is a ticket column or follows
from the ticket's messages, which the client already reads.

Revision ID: 0021_client_response_facts
Revises: 0020_merge
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_client_response_facts"
down_revision: str | None = "0020_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENT = "support_analytics_client"
POLICY = "ticket_response_facts_client_select"
# (name, table) for the policy mutation test.
POLICIES = [(POLICY, "ticket_response_facts")]


def upgrade() -> None:
    op.execute(f"GRANT SELECT ON ticket_response_facts TO {CLIENT}")
    op.execute(
        f"CREATE POLICY {POLICY} ON ticket_response_facts AS PERMISSIVE FOR SELECT TO {CLIENT}"
        " USING (client_id = (SELECT sa_session_client_id()))"
    )


def downgrade() -> None:
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON ticket_response_facts")
    op.execute(f"REVOKE SELECT ON ticket_response_facts FROM {CLIENT}")
