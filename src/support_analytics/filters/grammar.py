"""The filter bar's query-string grammar (SPEC section 5): parse `op:value` strings into typed
filters and format them back, so that `parse(format(f)) == f` for every filter.

Relative dates resolve to concrete days in the reporting timezone when the request arrives
(`today`); the filter keeps its relative form for the URL and `concrete()` drops it. A blank
parameter is no filter, in the API and the pages alike (`present`).

    date         on:2025-03-14 | between:2025-03-01,2025-03-31 | on_or_before:D | on_or_after:D
                 | last:7d|30d|90d|12m | this:week|month|quarter|year | previous:month|quarter|year
    team_member  is:3 | is_not:unassigned | any_of:1,2,unassigned | none_of:4,5
    ticket_type  is:V | is_not:V | any_of:V,... | none_of:V,...   (ids)
    priority     is:V | is_not:V | any_of:V,... | none_of:V,...   (low, medium, high, urgent)
    client       is:V | is_not:V | any_of:V,... | none_of:V,...   (client ids)
    plan         is:V | is_not:V | any_of:V,... | none_of:V,...   (starter, professional,
                 enterprise: the plan of the ticket's client)
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from support_analytics.errors import InvalidInput
from support_analytics.tickets.status import Priority

T = TypeVar("T")

UNASSIGNED = "unassigned"


class InvalidFilter(InvalidInput):
    """A query parameter that does not follow its grammar; the message names the parameter
    and lists the accepted forms, so a 422 is self-explanatory."""

    def __init__(self, parameter: str, problem: str, accepted: str) -> None:
        super().__init__(f"{parameter}: {problem}. Accepted: {accepted}", field=parameter)
        self.parameter = parameter
        self.problem = problem
        self.accepted = accepted


class DateOp(StrEnum):
    ON = "on"
    BETWEEN = "between"
    ON_OR_BEFORE = "on_or_before"
    ON_OR_AFTER = "on_or_after"


class Plan(StrEnum):
    """A client's plan (`clients.plan_type`); the `plan` filter selects the tickets of the
    clients on it."""

    STARTER = "starter"
    PROFESSIONAL = "professional"
    ENTERPRISE = "enterprise"


class SetOp(StrEnum):
    IS = "is"
    IS_NOT = "is_not"
    ANY_OF = "any_of"
    NONE_OF = "none_of"

    @property
    def negative(self) -> bool:
        return self in (SetOp.IS_NOT, SetOp.NONE_OF)


# The date pickers' range: far dates would overflow bucket arithmetic, and no ticket has one.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
# Relative periods and how a sentence says them. `last:` counts back from today, today
# included; `this:` and `previous:` are whole calendar periods (weeks start on Monday).
RELATIVE_PHRASES = {
    "last:7d": "in the last 7 days",
    "last:30d": "in the last 30 days",
    "last:90d": "in the last 90 days",
    "last:12m": "in the last 12 months",
    "this:week": "this week",
    "this:month": "this month",
    "this:quarter": "this quarter",
    "this:year": "this year",
    "previous:month": "last month",
    "previous:quarter": "last quarter",
    "previous:year": "last year",
}
RELATIVE_OPS = ("last", "this", "previous")
RELATIVE_FORMS = (
    "last:7d, last:30d, last:90d, last:12m, this:week, this:month, this:quarter, this:year, "
    "previous:month, previous:quarter, previous:year (in the reporting timezone, today "
    "included)"
)
DATE_FORMS = (
    "on:YYYY-MM-DD, between:YYYY-MM-DD,YYYY-MM-DD (start <= end, both inclusive), "
    f"on_or_before:YYYY-MM-DD, on_or_after:YYYY-MM-DD; days from {FIRST_DAY} to {LAST_DAY}; "
    f"or a relative period: {RELATIVE_FORMS}"
)
DATE_EXAMPLES = (
    "on:2025-03-14",
    "between:2025-03-01,2025-03-31",
    "on_or_before:2025-06-30",
    "on_or_after:2025-06-01",
)


def set_forms(value: str) -> str:
    return f"is:{value}, is_not:{value}, any_of:{value},{value},..., none_of:{value},{value},..."


TEAM_MEMBER_FORMS = set_forms("ID") + " where ID is a team member id or the word unassigned"
TICKET_TYPE_FORMS = set_forms("ID") + " where ID is a ticket type id"
PRIORITY_FORMS = set_forms("P") + " where P is one of low, medium, high, urgent"
CLIENT_FORMS = set_forms("ID") + " where ID is a client id"
PLAN_FORMS = set_forms("P") + " where P is one of " + ", ".join(Plan)

# The same grammars as JSON Schema patterns, for the OpenAPI (the parsers above stay the
# judges: they also check calendar days, start <= end and give the readable 422).
_DAY = r"20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_RELATIVE = "last:(7d|30d|90d|12m)|this:(week|month|quarter|year)|previous:(month|quarter|year)"
# An empty value is allowed: a blank parameter is no filter.
DATE_PATTERN = rf"^(|(on|on_or_before|on_or_after):{_DAY}|between:{_DAY},{_DAY}|{_RELATIVE})$"


def set_pattern(value: str) -> str:
    return rf"^(|(is|is_not):{value}|(any_of|none_of):{value}(,{value})*)$"


_ID = "[1-9][0-9]{0,8}"
TEAM_MEMBER_PATTERN = set_pattern(f"({_ID}|{UNASSIGNED})")
TICKET_TYPE_PATTERN = set_pattern(_ID)
PRIORITY_PATTERN = set_pattern("(low|medium|high|urgent)")
CLIENT_PATTERN = set_pattern(_ID)
PLAN_PATTERN = set_pattern(f"({'|'.join(Plan)})")
FILTER_MAX = 1000  # characters in one filter parameter


@dataclass(frozen=True)
class DateFilter:
    """Ticket creation day, as a calendar day in the reporting timezone."""

    op: DateOp
    start: date | None
    end: date | None
    relative: str | None = None
    """The relative period this range was resolved from (`last:7d`), if any."""

    @classmethod
    def on(cls, day: date) -> DateFilter:
        return cls(DateOp.ON, day, day)

    @classmethod
    def between(cls, start: date, end: date) -> DateFilter:
        return cls(DateOp.BETWEEN, start, end)

    @classmethod
    def on_or_before(cls, day: date) -> DateFilter:
        return cls(DateOp.ON_OR_BEFORE, None, day)

    @classmethod
    def on_or_after(cls, day: date) -> DateFilter:
        return cls(DateOp.ON_OR_AFTER, day, None)

    @property
    def closed(self) -> bool:
        return self.start is not None and self.end is not None

    def whole_months(self) -> int | None:
        """How many calendar months a range covers when it runs from a 1st to a month's last
        day (a month, quarter or year, typed or relative); None for any other range."""
        if self.start is None or self.end is None or self.start.day != 1:
            return None
        if (self.end + timedelta(days=1)).day != 1:
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous_period(self) -> DateFilter | None:
        """The period just before this one (for period-over-period deltas): the previous
        calendar months for whole months (Q2 compares with Q1, not with a 91-day window),
        otherwise the range of equal length just before."""
        if self.start is None or self.end is None:
            return None
        months = self.whole_months()
        if months is not None:
            return DateFilter.between(
                _months_back(self.start, months), self.start - timedelta(days=1)
            )
        days = (self.end - self.start).days + 1
        end = self.start - timedelta(days=1)
        start = self.start - timedelta(days=days)
        if self.op is DateOp.ON:
            return DateFilter.on(end)
        return DateFilter.between(start, end)

    def year_earlier(self) -> DateFilter | None:
        """The same days one year earlier (29 February becomes the 28th); whole months stay
        whole months (February 2025 compares with all of February 2024)."""
        if self.start is None or self.end is None:
            return None
        start = _months_back(self.start, 12)
        if self.op is DateOp.ON:
            return DateFilter.on(start)
        months = self.whole_months()
        if months is not None:
            return DateFilter.between(start, _months_back(start, -months) - timedelta(days=1))
        return DateFilter.between(start, _months_back(self.end, 12))

    def concrete(self) -> DateFilter:
        """The same days, written as dates (click-through links must not move with the clock)."""
        return replace(self, relative=None)

    def format(self) -> str:
        if self.relative is not None:
            return self.relative
        if self.op is DateOp.ON and self.start is not None:
            return f"on:{self.start.isoformat()}"
        if self.op is DateOp.BETWEEN and self.start is not None and self.end is not None:
            return f"between:{self.start.isoformat()},{self.end.isoformat()}"
        if self.op is DateOp.ON_OR_BEFORE and self.end is not None:
            return f"on_or_before:{self.end.isoformat()}"
        assert self.start is not None
        return f"on_or_after:{self.start.isoformat()}"


@dataclass(frozen=True)
class SetFilter(Generic[T]):
    """Membership of one ticket column in a set of values. `None` stands for a NULL column
    (only `team_member` can name it, as `unassigned`). Negative operators keep NULLs unless
    NULL itself is listed: an unassigned ticket is not assigned to Sarah."""

    op: SetOp
    values: tuple[T, ...]

    def admits(self, value: T | None) -> bool:
        listed = value in self.values
        return not listed if self.op.negative else listed


def _split_op(parameter: str, raw: str, ops: type[StrEnum], accepted: str) -> tuple[str, str]:
    op, sep, rest = raw.partition(":")
    if not sep:
        raise InvalidFilter(parameter, f"{raw!r} has no operator", accepted)
    if op not in {member.value for member in ops}:
        raise InvalidFilter(parameter, f"unknown operator {op!r}", accepted)
    return op, rest


def _parse_day(parameter: str, text: str, accepted: str) -> date:
    try:
        if len(text) != 10 or not text.isascii():
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidFilter(parameter, f"{text!r} is not a date (YYYY-MM-DD)", accepted) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidFilter(parameter, f"{day} is outside {FIRST_DAY}..{LAST_DAY}", accepted)
    return day


def present(raw: str | None) -> str | None:
    """A blank parameter (`?date=`, as a plain HTML form sends an empty field) is no filter."""
    return raw if raw is not None and raw.strip() else None


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def resolve_relative(token: str, today: date) -> tuple[date, date]:
    """The first and last day of a relative period (a key of RELATIVE_PHRASES) seen on `today`."""
    op, _, unit = token.partition(":")
    if op == "last":
        if unit == "12m":
            return _months_back(today, 12) + timedelta(days=1), today
        return today - timedelta(days=int(unit.removesuffix("d")) - 1), today
    if unit == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    if unit == "month":
        start = today.replace(day=1)
    elif unit == "quarter":
        start = _quarter_start(today)
    else:
        start = date(today.year, 1, 1)
    if op == "previous":
        start = _months_back(start, months)
    end = _months_back(start, -months) - timedelta(days=1)
    return start, end


def _parse_relative(parameter: str, raw: str, today: date | None) -> DateFilter:
    if raw not in RELATIVE_PHRASES:
        raise InvalidFilter(parameter, f"unknown period {raw!r}", DATE_FORMS)
    start, end = resolve_relative(raw, today or datetime.now(UTC).date())
    if start < FIRST_DAY or end > LAST_DAY:
        raise InvalidFilter(
            parameter, f"{raw} is outside {FIRST_DAY}..{LAST_DAY} today", DATE_FORMS
        )
    return DateFilter(DateOp.BETWEEN, start, end, relative=raw)


def parse_date(raw: str, parameter: str = "date", *, today: date | None = None) -> DateFilter:
    """`today` is the current day in the reporting timezone (relative periods count from it;
    UTC's day when not given)."""
    text = raw.strip()
    if text.partition(":")[0] in RELATIVE_OPS:
        return _parse_relative(parameter, text, today)
    op, rest = _split_op(parameter, text, DateOp, DATE_FORMS)
    if DateOp(op) is DateOp.BETWEEN:
        parts = rest.split(",")
        if len(parts) != 2:
            raise InvalidFilter(parameter, "between takes exactly two dates", DATE_FORMS)
        start = _parse_day(parameter, parts[0].strip(), DATE_FORMS)
        end = _parse_day(parameter, parts[1].strip(), DATE_FORMS)
        if start > end:
            raise InvalidFilter(
                parameter, f"between starts after it ends ({start} > {end})", DATE_FORMS
            )
        return DateFilter.between(start, end)
    day = _parse_day(parameter, rest.strip(), DATE_FORMS)
    if DateOp(op) is DateOp.ON:
        return DateFilter.on(day)
    if DateOp(op) is DateOp.ON_OR_BEFORE:
        return DateFilter.on_or_before(day)
    return DateFilter.on_or_after(day)


def _parse_set(
    parameter: str, raw: str, accepted: str, parse_value: Callable[[str], T]
) -> SetFilter[T]:
    op_text, rest = _split_op(parameter, raw.strip(), SetOp, accepted)
    op = SetOp(op_text)
    items = [item.strip() for item in rest.split(",")] if rest.strip() else []
    if not items or any(not item for item in items):
        raise InvalidFilter(
            parameter, f"{op} needs a value (an empty list matches nothing)", accepted
        )
    if op in (SetOp.IS, SetOp.IS_NOT) and len(items) != 1:
        raise InvalidFilter(
            parameter, f"{op} takes exactly one value; use any_of/none_of for lists", accepted
        )
    values: list[T] = []
    for item in items:
        value = parse_value(item)
        if value not in values:
            values.append(value)
    return SetFilter(op, tuple(values))


def ascii_id(text: str) -> int | None:
    """A positive id written in ASCII digits, else None. (`str.isdigit` alone admits "²" and
    other Unicode digits that `int` then refuses; 9 digits keep it inside a PostgreSQL int.)"""
    if not text or len(text) > 9 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value >= 1 else None


def _positive_id(parameter: str, text: str, accepted: str) -> int:
    value = ascii_id(text)
    if value is None:
        raise InvalidFilter(parameter, f"{text!r} is not an id (a positive whole number)", accepted)
    return value


def parse_team_member(raw: str, parameter: str = "team_member") -> SetFilter[int | None]:
    def value(text: str) -> int | None:
        if text == UNASSIGNED:
            return None
        return _positive_id(parameter, text, TEAM_MEMBER_FORMS)

    return _parse_set(parameter, raw, TEAM_MEMBER_FORMS, value)


def parse_ticket_type(raw: str, parameter: str = "ticket_type") -> SetFilter[int]:
    return _parse_set(
        parameter,
        raw,
        TICKET_TYPE_FORMS,
        lambda text: _positive_id(parameter, text, TICKET_TYPE_FORMS),
    )


def parse_priority(raw: str, parameter: str = "priority") -> SetFilter[Priority]:
    def value(text: str) -> Priority:
        try:
            return Priority(text)
        except ValueError:
            raise InvalidFilter(parameter, f"unknown priority {text!r}", PRIORITY_FORMS) from None

    return _parse_set(parameter, raw, PRIORITY_FORMS, value)


def parse_client(raw: str, parameter: str = "client") -> SetFilter[int]:
    return _parse_set(
        parameter, raw, CLIENT_FORMS, lambda text: _positive_id(parameter, text, CLIENT_FORMS)
    )


def parse_plan(raw: str, parameter: str = "plan") -> SetFilter[Plan]:
    def value(text: str) -> Plan:
        try:
            return Plan(text)
        except ValueError:
            raise InvalidFilter(parameter, f"unknown plan {text!r}", PLAN_FORMS) from None

    return _parse_set(parameter, raw, PLAN_FORMS, value)


def format_set(flt: SetFilter[T], show: Callable[[T], str]) -> str:
    return f"{flt.op}:{','.join(show(value) for value in flt.values)}"


def show_member(value: int | None) -> str:
    return UNASSIGNED if value is None else str(value)
