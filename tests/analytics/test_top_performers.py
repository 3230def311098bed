"""The top-performer star needs a real comparison: a member is starred only when resolving
strictly more tickets than the median of the rows shown (so 1 row never gets it, and of 3 rows
at most the ones above the middle one), at most three of them (ties: better rating)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from support_analytics.analytics.schemas import TeamRow
from support_analytics.analytics.team_performance import TeamTableQuery, arrange


def row(member: int, resolved: int, rating: float | None = None) -> TeamRow:
    return TeamRow(
        team_member_id=member,
        name=f"m{member}",
        tickets_assigned=resolved,
        tickets_resolved=resolved,
        avg_resolution_hours=None,
        avg_rating=rating,
        status="active",
    )


def top(*rows: TeamRow) -> list[int]:
    return arrange(list(rows), TeamTableQuery()).top_performer_ids


def test_few_rows_are_not_all_starred() -> None:
    assert top(row(1, 10)) == []
    assert top(row(1, 10), row(2, 5)) == [1]
    assert top(row(1, 10), row(2, 5), row(3, 1)) == [1]
    assert top(row(1, 5), row(2, 5), row(3, 5)) == []


def test_at_most_three_ties_by_rating() -> None:
    rows = [row(i, 100 - i) for i in range(1, 9)] + [row(9, 99, 5.0)]
    assert top(*rows) == [9, 1, 2]


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=12))
def test_starred_members_beat_the_median(resolved: list[int]) -> None:
    rows = [row(i, n) for i, n in enumerate(resolved, start=1)]
    ordered = sorted(resolved)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    starred = top(*rows)
    assert len(starred) <= 3
    assert len(starred) < len(rows)
    assert all(resolved[i - 1] > median for i in starred)
