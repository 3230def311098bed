"""`TicketFilters`: the whole filter bar as one immutable value, and its query string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from support_analytics.filters.grammar import (
    DateFilter,
    Plan,
    SetFilter,
    SetOp,
    format_set,
    parse_client,
    parse_date,
    parse_plan,
    parse_priority,
    parse_team_member,
    parse_ticket_type,
    present,
    show_member,
)
from support_analytics.tickets.status import Priority


@dataclass(frozen=True)
class TicketFilters:
    """Every filter is optional; present ones combine with AND."""

    date: DateFilter | None = None
    team_member: SetFilter[int | None] | None = None
    ticket_type: SetFilter[int] | None = None
    priority: SetFilter[Priority] | None = None
    client: SetFilter[int] | None = None
    plan: SetFilter[Plan] | None = None

    @classmethod
    def parse(
        cls,
        *,
        date: str | None = None,
        team_member: str | None = None,
        ticket_type: str | None = None,
        priority: str | None = None,
        client: str | None = None,
        plan: str | None = None,
        today: dt.date | None = None,
    ) -> TicketFilters:
        """Raises `InvalidFilter` (422) naming the first malformed parameter. Blank values are
        no filter; relative dates count from `today` (the reporting timezone's day)."""
        date, team_member = present(date), present(team_member)
        ticket_type, priority = present(ticket_type), present(priority)
        client, plan = present(client), present(plan)
        return cls(
            date=parse_date(date, today=today) if date is not None else None,
            team_member=parse_team_member(team_member) if team_member is not None else None,
            ticket_type=parse_ticket_type(ticket_type) if ticket_type is not None else None,
            priority=parse_priority(priority) if priority is not None else None,
            client=parse_client(client) if client is not None else None,
            plan=parse_plan(plan) if plan is not None else None,
        )

    @classmethod
    def from_query(cls, params: dict[str, str], today: dt.date | None = None) -> TicketFilters:
        return cls.parse(
            date=params.get("date"),
            team_member=params.get("team_member"),
            ticket_type=params.get("ticket_type"),
            priority=params.get("priority"),
            client=params.get("client"),
            plan=params.get("plan"),
            today=today,
        )

    def to_params(self) -> dict[str, str]:
        """Query parameters in the grammar, in a fixed order (stable, shareable URLs)."""
        params: dict[str, str] = {}
        if self.date is not None:
            params["date"] = self.date.format()
        if self.team_member is not None:
            params["team_member"] = format_set(self.team_member, show_member)
        if self.ticket_type is not None:
            params["ticket_type"] = format_set(self.ticket_type, str)
        if self.priority is not None:
            params["priority"] = format_set(self.priority, str)
        if self.client is not None:
            params["client"] = format_set(self.client, str)
        if self.plan is not None:
            params["plan"] = format_set(self.plan, str)
        return params

    def to_query_string(self, **extra: str | int | None) -> str:
        """`date=on%3A2025-03-14&priority=...` plus any extra non-None parameters."""
        params: dict[str, str] = self.to_params()
        params.update({key: str(value) for key, value in extra.items() if value is not None})
        return urlencode(params)

    def concrete(self) -> TicketFilters:
        """Relative dates written as the days they stand for now (for click-through links)."""
        return self if self.date is None else replace(self, date=self.date.concrete())

    def with_date(self, date: DateFilter | None) -> TicketFilters:
        return replace(self, date=date)

    def previous_period(self) -> TicketFilters | None:
        """Same filters over the period just before (`DateFilter.previous_period`), when the
        range is closed."""
        if self.date is None:
            return None
        previous = self.date.previous_period()
        return None if previous is None else self.with_date(previous)

    def year_earlier(self) -> TicketFilters | None:
        """Same filters over the same days one year earlier, when the range is closed."""
        if self.date is None:
            return None
        earlier = self.date.year_earlier()
        return None if earlier is None else self.with_date(earlier)

    @property
    def by_client(self) -> bool:
        """Whether the client or plan filter is set (rollups without a client column cannot
        answer it)."""
        return self.client is not None or self.plan is not None

    @property
    def active(self) -> bool:
        return self.by_client or any(
            flt is not None
            for flt in (self.date, self.team_member, self.ticket_type, self.priority)
        )

    def complemented(self, *, member: bool = True) -> list[tuple[TicketFilters, int]]:
        """Filters and signs whose signed sum of rows is the rows `self` admits, each negative
        assignee or type filter (`is_not`, `none_of`) read as every row less the rows of the
        values it lists (negative filters keep NULLs, so that is exactly their complement).
        Rollups answer a few listed values from a few slices, where the values a negative
        filter admits are most of them ("type is not 4": every type's rows less type 4's, not
        13 types'); and a term left with both an assignee and a type condition lists values
        on both, which the per-ticket rollups' (type, assignee) indexes read directly.
        `member=False` leaves the assignee filter as it is (a table grouped by assignee)."""
        # Each cut maps a filter to its term without the negative condition (False) or with
        # the values it lists (True).
        cuts: list[Callable[[TicketFilters, bool], TicketFilters]] = []
        if member and self.team_member is not None and self.team_member.op.negative:
            members = SetFilter(SetOp.ANY_OF, self.team_member.values)
            cuts.append(lambda f, listed: replace(f, team_member=members if listed else None))
        if self.ticket_type is not None and self.ticket_type.op.negative:
            types = SetFilter(SetOp.ANY_OF, self.ticket_type.values)
            cuts.append(lambda f, listed: replace(f, ticket_type=types if listed else None))
        terms: list[tuple[TicketFilters, int]] = [(self, 1)]
        for cut in cuts:
            terms = [
                term for f, sign in terms for term in ((cut(f, False), sign), (cut(f, True), -sign))
            ]
        return terms
