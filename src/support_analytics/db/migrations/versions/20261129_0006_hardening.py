"""Security hardening (issue 12): merges the three heads 0003_identity_login, 0004_doneix and
0005_search.

Revision ID: 0006_hardening
Revises: 0003_identity_login, 0004_doneix, 0005_search
Create Date: 2026-11-29
"""

from collections.abc import Sequence

revision: str = "0006_hardening"
down_revision: str | Sequence[str] | None = ("0003_identity_login", "0004_doneix", "0005_search")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
