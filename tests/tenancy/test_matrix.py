"""Every cell of the expectations table, in SQL under the request role (see matrix.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from support_analytics.db.engine import Database
from tests.tenancy.matrix import Case, World, cases, verdict

CASES = cases()


def test_the_matrix_covers_every_table_under_row_level_security(
    tenancy_database: Database,
) -> None:
    # A table that a migration puts under row-level security must gain rows here too.
    assert len(CASES) > 150
    with tenancy_database.engine.connect() as conn:
        protected = set(
            conn.execute(
                text(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity"
                    " AND relnamespace = 'public'::regnamespace"
                )
            ).scalars()
        )
    assert {case.table for case in CASES} == protected


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(tenancy_database: Database, world: World, case: Case) -> None:
    assert verdict(tenancy_database, world, case) is None
