"""Hypothesis strategies for filter bars, as the oracle's plain `FilterSpec`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

from hypothesis import strategies as st

from tests.analytics.oracle import PLANS, PRIORITIES, DateSpec, FilterSpec

FIRST_DAY = date(2024, 12, 25)
LAST_DAY = date(2026, 1, 5)
T = TypeVar("T")


@st.composite
def date_specs(draw: st.DrawFn) -> DateSpec:
    span = (LAST_DAY - FIRST_DAY).days
    first = FIRST_DAY + timedelta(days=draw(st.integers(0, span)))
    last = first + timedelta(days=draw(st.integers(0, 120)))
    op = draw(st.sampled_from(("on", "between", "on_or_after", "on_or_before")))
    if op == "on":
        return ("on", first.isoformat(), first.isoformat())
    if op == "between":
        return ("between", first.isoformat(), last.isoformat())
    if op == "on_or_after":
        return ("on_or_after", first.isoformat(), None)
    return ("on_or_before", None, last.isoformat())


def _as_tuple(values: list[T]) -> tuple[T, ...]:
    return tuple(values)


def _set_rule(values: st.SearchStrategy[T]) -> st.SearchStrategy[tuple[str, tuple[T, ...]]]:
    single = st.tuples(st.sampled_from(("is", "is_not")), st.tuples(values))
    several = st.tuples(
        st.sampled_from(("any_of", "none_of")),
        st.lists(values, min_size=1, max_size=4, unique=True).map(_as_tuple),
    )
    return st.one_of(single, several)


member_ids = st.one_of(st.none(), st.integers(1, 17))  # 16: no tickets; 17: no such member
type_ids = st.integers(1, 15)  # 15: no such type
client_ids = st.integers(1, 52)  # 51: a client without tickets (the edge cases'); 52: no such


@st.composite
def filter_specs(draw: st.DrawFn) -> FilterSpec:
    present = st.booleans()
    return FilterSpec(
        date=draw(date_specs()) if draw(present) else None,
        team_member=draw(_set_rule(member_ids)) if draw(present) else None,
        ticket_type=draw(_set_rule(type_ids)) if draw(present) else None,
        priority=draw(_set_rule(st.sampled_from(PRIORITIES))) if draw(present) else None,
        client=draw(_set_rule(client_ids)) if draw(present) else None,
        plan=draw(_set_rule(st.sampled_from(PLANS))) if draw(present) else None,
    )
