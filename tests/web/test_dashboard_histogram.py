"""The resolution histogram counts the same tickets from the rollup as from the raw tables."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from support_analytics.analytics import rollups
from support_analytics.db.engine import connect
from support_analytics.filters import TicketFilters
from support_analytics.web.pages import dashboard_histogram as histogram

UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"priority": "any_of:high,urgent", "date": "between:2025-04-01,2025-06-30"},
        {"team_member": "none_of:1,2", "ticket_type": "is:3", "date": "on_or_after:2025-10-15"},
    ],
)
def test_rollup_and_raw_tables_agree(fresh_database: str, params: dict[str, str]) -> None:
    filters = TicketFilters.from_query(params)
    database = connect(fresh_database, pool_size=1)
    try:
        with database.sessions() as session:
            assert rollups.usable(session, UTC)
            from_rollup = dict(session.execute(histogram._from_rollup(filters)).all())
            raw = dict(session.execute(histogram._from_tickets(filters, UTC)).all())
            result = histogram.resolution_histogram(session, filters, UTC)
    finally:
        database.engine.dispose()
    assert from_rollup == raw
    assert sum(result.counts) == sum(raw.values())
    assert len(result.labels) == len(result.counts) == len(histogram.EDGES)
