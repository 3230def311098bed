"""The active filters as one sentence for the UI ("Tickets created between 1 Mar 2025 and ...")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar

from support_analytics.dates import day_text
from support_analytics.filters.grammar import RELATIVE_PHRASES, DateFilter, DateOp, SetFilter
from support_analytics.filters.model import TicketFilters

T = TypeVar("T")


def _day(value: date | None) -> str:
    return "" if value is None else day_text(value)


def date_phrase(flt: DateFilter, verb: str = "created") -> str:
    if flt.relative is not None:
        # The concrete days too: "this month" alone hides which month the numbers are from.
        period = RELATIVE_PHRASES.get(flt.relative, flt.relative)
        return f"{verb} {period} ({_day(flt.start)} to {_day(flt.end)})"
    if flt.op is DateOp.ON:
        return f"{verb} on {_day(flt.start)}"
    if flt.op is DateOp.BETWEEN:
        return f"{verb} between {_day(flt.start)} and {_day(flt.end)}"
    if flt.op is DateOp.ON_OR_BEFORE:
        return f"{verb} on or before {_day(flt.end)}"
    return f"{verb} on or after {_day(flt.start)}"


def _either(names: list[str], joiner: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {joiner} {names[-1]}"


def _set_phrase(flt: SetFilter[T], noun: str, name: Callable[[T], str]) -> str:
    names = [name(value) for value in flt.values]
    if flt.op.negative:
        return f"{noun} not {_either(names, 'or')}"
    return f"{noun} {_either(names, 'or')}"


def describe(
    filters: TicketFilters,
    *,
    team_members: Mapping[int, str] | None = None,
    ticket_types: Mapping[int, str] | None = None,
    clients: Mapping[int, str] | None = None,
) -> str:
    """E.g. "Tickets created on 14 Mar 2025, assigned to sarah_jones or unassigned, with
    priority not low". Unknown ids read as "#7"."""
    members = team_members or {}
    types = ticket_types or {}
    client_names = clients or {}
    parts: list[str] = []
    if filters.date is not None:
        parts.append(date_phrase(filters.date))
    if filters.team_member is not None:
        parts.append(
            _set_phrase(
                filters.team_member,
                "assigned to",
                lambda v: "nobody (unassigned)" if v is None else members.get(v, f"#{v}"),
            )
        )
    if filters.ticket_type is not None:
        parts.append(_set_phrase(filters.ticket_type, "of type", lambda v: types.get(v, f"#{v}")))
    if filters.priority is not None:
        parts.append(_set_phrase(filters.priority, "with priority", str))
    if filters.client is not None:
        parts.append(
            _set_phrase(filters.client, "from client", lambda v: client_names.get(v, f"#{v}"))
        )
    if filters.plan is not None:
        parts.append(_set_phrase(filters.plan, "on plan", str))
    if not parts:
        return "All tickets"
    return "Tickets " + ", ".join(parts)
