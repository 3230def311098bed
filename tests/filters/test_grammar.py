"""The filter grammar: every filter survives format -> parse, malformed input is refused with
the parameter and the accepted forms named, and descriptions read as sentences."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_analytics.filters import TicketFilters
from support_analytics.filters.describe import describe
from support_analytics.filters.grammar import (
    FIRST_DAY,
    LAST_DAY,
    RELATIVE_PHRASES,
    DateFilter,
    InvalidFilter,
    Plan,
    SetFilter,
    SetOp,
    ascii_id,
    parse_date,
)
from support_analytics.tickets.status import Priority

days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


@st.composite
def date_filters(draw: st.DrawFn) -> DateFilter:
    first, second = sorted((draw(days), draw(days)))
    return draw(
        st.sampled_from(
            (
                DateFilter.on(first),
                DateFilter.between(first, second),
                DateFilter.on_or_before(second),
                DateFilter.on_or_after(first),
            )
        )
    )


def set_filters(values: st.SearchStrategy[object]) -> st.SearchStrategy[SetFilter[object]]:
    one = st.builds(
        lambda op, v: SetFilter(op, (v,)), st.sampled_from((SetOp.IS, SetOp.IS_NOT)), values
    )
    many = st.builds(
        lambda op, vs: SetFilter(op, tuple(vs)),
        st.sampled_from((SetOp.ANY_OF, SetOp.NONE_OF)),
        st.lists(values, min_size=1, max_size=6, unique=True),
    )
    return st.one_of(one, many)


ids = st.integers(1, 999_999_999)
ticket_filters = st.builds(
    TicketFilters,
    date=st.none() | date_filters(),
    team_member=st.none() | set_filters(st.none() | ids),
    ticket_type=st.none() | set_filters(ids),
    priority=st.none() | set_filters(st.sampled_from(list(Priority))),
    client=st.none() | set_filters(ids),
    plan=st.none() | set_filters(st.sampled_from(list(Plan))),
)


@given(ticket_filters)
def test_round_trip(filters: TicketFilters) -> None:
    assert TicketFilters.from_query(filters.to_params()) == filters


@given(ticket_filters)
def test_round_trip_through_the_query_string(filters: TicketFilters) -> None:
    assert TicketFilters.from_query(dict(parse_qsl(filters.to_query_string()))) == filters


MALFORMED = (
    ("date", "in:2025-03-14", "unknown operator"),
    ("date", "2025-03-14", "no operator"),
    ("date", "on:2025-02-30", "not a date"),
    ("date", "on:20250314", "not a date"),
    ("date", "between:2025-03-31,2025-03-01", "starts after it ends"),
    ("date", "between:2025-03-01", "exactly two dates"),
    ("date", "between:2025-03-01,2025-03-02,2025-03-03", "exactly two dates"),
    ("priority", "is:critical", "unknown priority"),
    ("priority", "is:LOW", "unknown priority"),
    ("priority", "any_of:", "needs a value"),
    ("priority", "any_of:low,", "needs a value"),
    ("priority", "is:low,high", "exactly one value"),
    ("team_member", "is:abc", "not an id"),
    ("team_member", "is:0", "not an id"),
    ("team_member", "is:+3", "not an id"),
    ("team_member", "any_of:1,2.5", "not an id"),
    ("team_member", "is:Unassigned", "not an id"),
    ("ticket_type", "is:unassigned", "not an id"),
    ("ticket_type", "is:٣", "not an id"),
    ("ticket_type", "none_of", "no operator"),
    ("client", "is:acme", "not an id"),
    ("client", "any_of:", "needs a value"),
    ("client", "3", "no operator"),
    ("plan", "is:gold", "unknown plan"),
    ("plan", "is:Starter", "unknown plan"),
    ("plan", "among:starter", "unknown operator"),
)


@pytest.mark.parametrize(("parameter", "raw", "problem"), MALFORMED)
def test_malformed_is_refused_naming_parameter_and_forms(
    parameter: str, raw: str, problem: str
) -> None:
    with pytest.raises(InvalidFilter) as caught:
        TicketFilters.from_query({parameter: raw})
    error = caught.value
    assert error.status_code == 422
    assert error.parameter == parameter
    assert problem in error.message
    assert error.message.startswith(f"{parameter}: ")
    assert "Accepted: " in error.message
    forms = {
        "date": "on_or_before:",
        "priority": "urgent",
        "team_member": "unassigned",
        "plan": "enterprise",
    }
    assert forms.get(parameter, "any_of:") in error.accepted


def test_unassigned_and_duplicates() -> None:
    parsed = TicketFilters.parse(team_member="any_of:3,unassigned,3")
    assert parsed.team_member == SetFilter(SetOp.ANY_OF, (3, None))
    assert parsed.team_member.admits(None)
    assert not parsed.team_member.admits(4)
    negative = TicketFilters.parse(team_member="is_not:3")
    assert negative.team_member is not None
    assert negative.team_member.admits(None)  # unassigned is not assigned to 3
    excluded = TicketFilters.parse(team_member="none_of:unassigned").team_member
    assert excluded is not None
    assert not excluded.admits(None)


def test_previous_period() -> None:
    april = TicketFilters.parse(date="between:2025-04-01,2025-04-30").previous_period()
    assert april is not None
    assert april.to_params() == {"date": "between:2025-03-01,2025-03-31"}  # the month before
    days = TicketFilters.parse(date="between:2025-04-02,2025-05-01").previous_period()
    assert days is not None
    assert days.to_params() == {"date": "between:2025-03-03,2025-04-01"}  # as long, just before
    assert TicketFilters.parse(date="on:2025-03-01").previous_period() == TicketFilters.parse(
        date="on:2025-02-28"
    )
    assert TicketFilters.parse(date="on_or_after:2025-03-01").previous_period() is None
    assert TicketFilters().previous_period() is None


def test_describe() -> None:
    assert describe(TicketFilters()) == "All tickets"
    filters = TicketFilters.parse(
        date="between:2025-03-01,2025-03-31",
        team_member="any_of:2,unassigned",
        ticket_type="is_not:4",
        priority="any_of:high,urgent",
    )
    assert describe(
        filters, team_members={2: "sarah_jones"}, ticket_types={4: "Feature Request"}
    ) == (
        "Tickets created between 1 Mar 2025 and 31 Mar 2025, assigned to sarah_jones or "
        "nobody (unassigned), of type not Feature Request, with priority high or urgent"
    )
    assert describe(TicketFilters.parse(team_member="is:9")) == "Tickets assigned to #9"


def test_client_and_plan_parse_and_read_as_sentences() -> None:
    filters = TicketFilters.parse(client="any_of:3,7,3", plan="none_of:starter,enterprise")
    assert filters.client == SetFilter(SetOp.ANY_OF, (3, 7))
    assert filters.plan == SetFilter(SetOp.NONE_OF, (Plan.STARTER, Plan.ENTERPRISE))
    assert filters.active
    assert filters.to_params() == {
        "client": "any_of:3,7",
        "plan": "none_of:starter,enterprise",
    }
    assert describe(filters, clients={3: "Acme"}) == (
        "Tickets from client Acme or #7, on plan not starter or enterprise"
    )
    assert describe(TicketFilters.parse(client="is_not:3")) == "Tickets from client not #3"


@pytest.mark.parametrize("raw", ["on:1999-12-31", "on:2100-01-01", "between:0001-01-01,2025-01-01"])
def test_dates_outside_the_pickers_range_are_refused(raw: str) -> None:
    with pytest.raises(InvalidFilter) as caught:
        parse_date(raw)
    assert caught.value.parameter == "date"
    assert str(FIRST_DAY) in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        ("999999999", 999_999_999),
        ("0", None),
        ("1000000000", None),
        ("\u00b2", None),
        ("\uff13", None),
        ("-1", None),
        ("", None),
        (" 1", None),
    ],
)
def test_ascii_id_takes_only_ascii_digits(text: str, expected: int | None) -> None:
    assert ascii_id(text) == expected


RELATIVE = sorted(RELATIVE_PHRASES)
todays = st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31))


@given(st.sampled_from(RELATIVE), todays)
def test_relative_dates_resolve_to_concrete_days_and_round_trip(token: str, today: date) -> None:
    flt = parse_date(token, today=today)
    assert flt.format() == token
    assert parse_date(flt.format(), today=today) == flt
    assert flt.start is not None
    assert flt.end is not None
    assert flt.start <= flt.end
    concrete = flt.concrete()
    assert concrete.relative is None
    assert concrete.format() == f"between:{flt.start},{flt.end}"
    assert parse_date(concrete.format()) == concrete
    filters = TicketFilters(date=flt)
    assert TicketFilters.from_query(filters.to_params(), today=today) == filters
    if token.startswith(("last:", "this:")):
        assert flt.start <= today <= flt.end
    if token.startswith("last:"):
        assert flt.end == today
    if token.startswith("previous:"):
        current = parse_date(token.replace("previous:", "this:"), today=today)
        assert current.start == flt.end + timedelta(days=1)


@pytest.mark.parametrize(
    ("token", "start", "end"),
    [
        ("last:7d", "2026-11-23", "2026-11-29"),
        ("last:30d", "2026-10-31", "2026-11-29"),
        ("last:90d", "2026-09-01", "2026-11-29"),
        ("last:12m", "2025-11-30", "2026-11-29"),
        ("this:week", "2026-11-23", "2026-11-29"),
        ("this:month", "2026-11-01", "2026-11-30"),
        ("this:quarter", "2026-10-01", "2026-12-31"),
        ("this:year", "2026-01-01", "2026-12-31"),
        ("previous:month", "2026-10-01", "2026-10-31"),
        ("previous:quarter", "2026-07-01", "2026-09-30"),
        ("previous:year", "2025-01-01", "2025-12-31"),
    ],
)
def test_relative_periods_on_a_known_day(token: str, start: str, end: str) -> None:
    flt = parse_date(token, today=date(2026, 11, 29))  # a Sunday
    assert (flt.start, flt.end) == (date.fromisoformat(start), date.fromisoformat(end))


def test_a_relative_date_reads_as_a_sentence_with_its_days() -> None:
    filters = TicketFilters.parse(date="last:7d", today=date(2026, 11, 29))
    assert describe(filters) == ("Tickets created in the last 7 days (23 Nov 2026 to 29 Nov 2026)")
    previous = TicketFilters.parse(date="previous:quarter", today=date(2026, 11, 29))
    assert describe(previous) == "Tickets created last quarter (1 Jul 2026 to 30 Sep 2026)"


@pytest.mark.parametrize("raw", ["last:5d", "this:decade", "previous:week", "last:"])
def test_unknown_periods_are_refused_naming_the_forms(raw: str) -> None:
    with pytest.raises(InvalidFilter) as caught:
        parse_date(raw)
    assert "last:7d" in caught.value.message


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_blank_parameters_are_no_filter(blank: str) -> None:
    parsed = TicketFilters.parse(date=blank, team_member=blank, ticket_type=blank, priority=blank)
    assert parsed == TicketFilters()
