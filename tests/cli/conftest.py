"""The migrated-empty database fixtures of the database tests, for commands that need one."""

from tests.db.conftest import migrated_database, migrated_template

__all__ = ["migrated_database", "migrated_template"]
