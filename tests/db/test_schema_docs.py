"""docs/schema/ shows what the migrations build now: row-level security and its policies,
triggers and functions. A migration that changes any of them must regenerate the files."""

from __future__ import annotations

import os
from pathlib import Path

from support_analytics.db import schema_docs
from tests.conftest import PgServer

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schema"
REGENERATE = "UPDATE_SCHEMA_DOCS=1 uv run pytest tests/db/test_schema_docs.py"


def test_docs_schema_matches_the_migrated_database(
    pg_server: PgServer, migrated_template: str
) -> None:
    current = schema_docs.render(pg_server.libpq(migrated_template))
    if os.environ.get("UPDATE_SCHEMA_DOCS") == "1":
        for name, text in current.items():
            (DOCS / name).write_text(text, encoding="utf-8")
    stale = [
        name
        for name, text in current.items()
        if not (DOCS / name).is_file() or (DOCS / name).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"docs/schema/{', '.join(stale)} out of date: run `{REGENERATE}`"


def test_every_table_under_rls_is_listed(pg_server: PgServer, migrated_template: str) -> None:
    policies = schema_docs.render(pg_server.libpq(migrated_template))["policies.sql"]
    assert "--   tickets" in policies
    assert "--   ticket_submissions" in policies
