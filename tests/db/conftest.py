"""A migrated, empty template database for the generator and migration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support_analytics.db import migrate
from tests.conftest import PgServer

MIGRATED_TEMPLATE = "sa_test_migrated_empty"


@pytest.fixture(scope="session")
def migrated_template(pg_server: PgServer) -> str:
    pg_server.drop_database(MIGRATED_TEMPLATE)
    migrate.upgrade(pg_server.create_database(MIGRATED_TEMPLATE))
    return MIGRATED_TEMPLATE


@pytest.fixture
def migrated_database(pg_server: PgServer, migrated_template: str) -> Iterator[str]:
    """A private migrated database with no rows (SQLAlchemy URL), dropped after the test."""
    with pg_server.scratch_database("sa_test", template=migrated_template) as url:
        yield url
