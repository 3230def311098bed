"""The cover of a date range by week segments and days: every day exactly once, and every
week segment inside one month (monthly series sum segments by the month they start in)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from support_analytics.filters.sql import cover_span

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


def _segment_days(first: date) -> list[date]:
    days = [first]
    while True:
        nxt = days[-1] + timedelta(days=1)
        if nxt.weekday() == 0 or nxt.day == 1:
            return days
        days.append(nxt)


@given(DAYS, st.integers(min_value=0, max_value=70))
def test_cover_is_exact(lo: date, length: int) -> None:
    hi = lo + timedelta(days=length)
    covered: list[date] = []
    for grain, first, last in cover_span(lo, hi):
        day = first
        while day <= last:
            if grain == "d":
                covered.append(day)
                day += timedelta(days=1)
            else:
                assert day.weekday() == 0 or day.day == 1
                segment = _segment_days(day)
                assert {d.month for d in segment} == {day.month}
                covered.extend(segment)
                day = segment[-1] + timedelta(days=1)
    assert covered == [lo + timedelta(days=i) for i in range(length + 1)]


def test_a_partial_month_reads_weeks_not_days() -> None:
    # 2025-03-31 is a Monday whose segment ends with the month.
    assert cover_span(date(2025, 3, 3), date(2025, 3, 31)) == [
        ("w", date(2025, 3, 3), date(2025, 3, 31))
    ]
    assert cover_span(date(2025, 3, 2), date(2025, 3, 12)) == [
        ("d", date(2025, 3, 2), date(2025, 3, 2)),
        ("w", date(2025, 3, 3), date(2025, 3, 3)),
        ("d", date(2025, 3, 10), date(2025, 3, 12)),
    ]
