"""The login web requests connect as: `support_analytics_authenticator`.

It owns nothing and is granted nothing but membership (without inheritance) in the three
request roles and the right to resolve a session. A request switches to its role with
`SET LOCAL ROLE`; SQL that undoes the switch (`RESET ROLE`, `SET ROLE NONE`) lands on this
login, which can read no table, instead of on the owner that bypasses RLS.

Roles are cluster-wide: created only when missing, never dropped. Without the privilege to
create roles the step is skipped with a warning; the app then falls back to the owner
connection and says so (README "Security").

Revision ID: 0003_identity_login
Revises: 0003_identity
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_identity_login"
down_revision: str | None = "0003_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTHENTICATOR = "support_analytics_authenticator"
REQUEST_ROLES = (
    "support_analytics_internal",
    "support_analytics_client",
    "support_analytics_anonymous",
)


def upgrade() -> None:
    op.execute(
        f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AUTHENTICATOR}') THEN
            CREATE ROLE {AUTHENTICATOR} LOGIN NOINHERIT;
          END IF;
          GRANT {", ".join(REQUEST_ROLES)} TO {AUTHENTICATOR};
          GRANT EXECUTE ON FUNCTION sa_resolve_session(interval) TO {AUTHENTICATOR};
          EXECUTE format('GRANT CONNECT ON DATABASE %I TO {AUTHENTICATOR}', current_database());
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE WARNING 'cannot set up the {AUTHENTICATOR} login (%): web requests will use '
            'the owner connection; see README "Security"', SQLERRM;
        END $$
        """
    )


def downgrade() -> None:
    op.execute(
        f"""
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AUTHENTICATOR}') THEN
            REVOKE EXECUTE ON FUNCTION sa_resolve_session(interval) FROM {AUTHENTICATOR};
          END IF;
        END $$
        """
    )
