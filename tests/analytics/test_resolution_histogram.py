"""The resolution histogram counts the same tickets from either rollup as from the raw
tables, and labels each bar with its own edges."""

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
        {"team_member": "none_of:1,2", "date": "on_or_after:2025-10-15"},
        {"ticket_type": "is:3", "date": "on:2025-05-14"},
        {"team_member": "is:4", "ticket_type": "none_of:3"},  # no histogram slice
    ],
)
def test_every_source_counts_the_same(fresh_database: str, params: dict[str, str]) -> None:
    filters = TicketFilters.from_query(params)
    database = connect(fresh_database, pool_size=1)
    try:
        with database.sessions() as session:
            assert rollups.usable(session, UTC)
            raw = histogram.bars(list(session.execute(histogram._from_tickets(filters, UTC))))
            per_ticket = histogram.bars(list(session.execute(histogram._from_rollup(filters))))
            hist = histogram._from_hours_hist(filters)
            if hist is not None:
                assert histogram.bars(list(session.execute(hist))) == raw
            assert per_ticket == raw
            assert histogram.resolution_histogram(session, filters, UTC) == raw
    finally:
        database.engine.dispose()
    assert sum(raw.counts) > 0


def test_bars_and_labels() -> None:
    result = histogram.bars([(-1, 2), (0, 1), (16, 5), (47, 3), (400, 1)])
    assert result.counts[0] == 3  # negative durations and the first bin
    assert result.counts[2] == 5  # bin 16 is hours 1 (2 ** 1 - 1): bar 2 starts there
    assert result.counts[5] == 3
    assert result.counts[-1] == 1  # far beyond: the open-ended last bar
    assert len(result.counts) == histogram.MAX_BARS
    assert result.labels[:4] == ["0-0.4 h", "0.4-1 h", "1-1.8 h", "1.8-3 h"]
    assert result.labels[-1] == "1,023+ h"
    short = histogram.bars([(20, 1)])
    assert len(short.counts) == histogram.MIN_BARS
