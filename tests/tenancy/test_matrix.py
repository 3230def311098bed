"""Every cell of the expectations table, in SQL under the request role (see matrix.py)."""

from __future__ import annotations

import pytest

from support_analytics.db.engine import Database
from tests.tenancy.matrix import Case, World, cases, verdict

CASES = cases()


def test_the_matrix_is_big_enough() -> None:
    assert len(CASES) > 150
    tables = {case.table for case in CASES}
    assert len(tables) == 16


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(tenancy_database: Database, world: World, case: Case) -> None:
    assert verdict(tenancy_database, world, case) is None
