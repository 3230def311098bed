"""Request roles: NOLOGIN roles that requests switch to with SET LOCAL ROLE.

Roles are cluster-wide, so they are created only when missing and never dropped on downgrade
(another database on the same server may use them). The migrating login is made a member so
the application can SET ROLE to them. Grants and policies come with the identity branch.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("support_analytics_internal", "support_analytics_client", "support_analytics_anonymous")


def upgrade() -> None:
    for role in ROLES:
        op.execute(
            f"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN NOINHERIT;
              END IF;
            END $$
            """
        )
        op.execute(f"GRANT {role} TO CURRENT_USER")
        op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")


def downgrade() -> None:
    for role in ROLES:
        op.execute(f"REVOKE USAGE ON SCHEMA public FROM {role}")
