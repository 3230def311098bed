"""The workflow's moves and the timestamps they carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_analytics.tickets.status import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Status,
    Timestamps,
    TransitionError,
    consistent,
    is_reopen,
    parse_status,
    transition,
)

T0 = datetime(2025, 3, 1, tzinfo=UTC)
EMPTY = Timestamps(None, None)


class TestTransition:
    def test_resolving_sets_resolved_at(self) -> None:
        assert transition(Status.IN_PROGRESS, Status.RESOLVED, EMPTY, T0) == Timestamps(T0, None)

    def test_closing_keeps_an_earlier_resolution(self) -> None:
        later = T0 + timedelta(hours=5)
        got = transition(Status.RESOLVED, Status.CLOSED, Timestamps(T0, None), later)
        assert got == Timestamps(T0, later)

    def test_closing_an_unresolved_ticket_resolves_it_too(self) -> None:
        assert transition(Status.OPEN, Status.CLOSED, EMPTY, T0) == Timestamps(T0, T0)

    @pytest.mark.parametrize("start", sorted(CLOSED_STATUSES))
    @pytest.mark.parametrize("target", sorted(OPEN_STATUSES))
    def test_reopening_clears_both(self, start: Status, target: Status) -> None:
        assert is_reopen(start, target)
        assert transition(start, target, Timestamps(T0, T0), T0) == EMPTY

    def test_closed_cannot_go_back_to_resolved(self) -> None:
        with pytest.raises(TransitionError, match="reopen it first"):
            transition(Status.CLOSED, Status.RESOLVED, Timestamps(T0, T0), T0)

    def test_staying_put_changes_nothing(self) -> None:
        stamps = Timestamps(T0, None)
        assert transition(Status.RESOLVED, Status.RESOLVED, stamps, T0 + timedelta(1)) == stamps

    def test_unknown_or_null_status_reads_as_open(self) -> None:
        assert parse_status(None) is Status.OPEN
        assert parse_status("weird") is Status.OPEN
        assert parse_status("closed") is Status.CLOSED


@given(st.lists(st.sampled_from(list(Status)), max_size=30))
def test_any_walk_keeps_the_timestamps_consistent(walk: list[Status]) -> None:
    status, stamps, now = Status.OPEN, EMPTY, T0
    for target in walk:
        now += timedelta(minutes=7)
        if target != status and target not in TRANSITIONS[status]:
            with pytest.raises(TransitionError):
                transition(status, target, stamps, now)
            continue
        stamps = transition(status, target, stamps, now)
        status = target
        assert consistent(status, stamps), (status, stamps)
