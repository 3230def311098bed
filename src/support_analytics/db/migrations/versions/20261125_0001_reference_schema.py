"""Reference schema: exactly what database/schema.sql creates.

tests/db/test_migrations.py proves it by comparing the catalogs of a migrated database and
one built from schema.sql. The unused `uuid-ossp` extension is created only where the server
ships it (the embedded PostgreSQL does not).

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _now() -> sa.TextClause:
    return sa.text("now()")


def upgrade() -> None:
    op.execute(
        """
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'uuid-ossp') THEN
            CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
          END IF;
        END $$
        """
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_name", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("status", sa.String(50), server_default=sa.text("'active'")),
        sa.Column("plan_type", sa.String(50)),
        sa.Column("monthly_budget", sa.Numeric(10, 2)),
        sa.Column("created_at", TZ, server_default=_now()),
    )
    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("department", sa.String(50), nullable=False),
        sa.Column("status", sa.String(50), server_default=sa.text("'active'")),
        sa.Column("created_at", TZ, server_default=_now()),
    )
    op.create_table(
        "ticket_types",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("type_name", sa.String(100), nullable=False),
        sa.Column("department", sa.String(50), nullable=False),
        sa.Column("priority", sa.String(20)),
        sa.Column("avg_resolution_hours", sa.Integer),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("assigned_to", sa.Integer, sa.ForeignKey("team_members.id")),
        sa.Column("ticket_type_id", sa.Integer, sa.ForeignKey("ticket_types.id"), nullable=False),
        sa.Column("status", sa.String(50), server_default=sa.text("'open'")),
        sa.Column("priority", sa.String(20)),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("created_at", TZ, server_default=_now()),
        sa.Column("resolved_at", TZ),
        sa.Column("closed_at", TZ),
    )
    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("from_client", sa.Boolean, server_default=sa.false()),
        sa.Column("from_team_member_id", sa.Integer, sa.ForeignKey("team_members.id")),
        sa.Column("message_text", sa.Text, nullable=False),
        sa.Column("created_at", TZ, server_default=_now()),
    )
    op.create_table(
        "ticket_feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False, unique=True
        ),
        sa.Column("rating", sa.Integer),
        sa.Column("feedback_text", sa.Text),
        sa.Column("created_at", TZ, server_default=_now()),
        sa.CheckConstraint("rating >= 1 AND rating <= 5", name="rating"),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("amount_usd", sa.Numeric(10, 2), nullable=False),
        sa.Column("payment_type", sa.String(50), nullable=False),
        sa.Column("status", sa.String(50), server_default=sa.text("'pending'")),
        sa.Column("paid_at", TZ),
        sa.Column("created_at", TZ, server_default=_now()),
    )
    for table, column in (
        ("tickets", "client_id"),
        ("tickets", "assigned_to"),
        ("tickets", "status"),
        ("tickets", "created_at"),
        ("tickets", "resolved_at"),
        ("ticket_messages", "ticket_id"),
        ("payments", "client_id"),
        ("payments", "paid_at"),
    ):
        op.create_index(f"idx_{table}_{column}", table, [column])


def downgrade() -> None:
    for table in (
        "payments",
        "ticket_feedback",
        "ticket_messages",
        "tickets",
        "ticket_types",
        "team_members",
        "clients",
    ):
        op.drop_table(table)
