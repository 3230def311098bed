"""The filter bar as the templates see it: the options of each control, what is selected,
the active filters as removable chips, and URLs that keep the rest of the view's state.

The URL is the whole state: `TicketFilters` (the filter engineer's model) for the bar, plus
view-local parameters (sort, column filters, search, page) kept in `ViewState.extra`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from fastapi import Request
from sqlalchemy.orm import Session

from support_analytics.errors import AppError
from support_analytics.filters import TicketFilters
from support_analytics.filters.describe import describe
from support_analytics.filters.grammar import (
    UNASSIGNED,
    DateFilter,
    DateOp,
    Plan,
    SetFilter,
    SetOp,
)
from support_analytics.tickets import queries
from support_analytics.tickets.status import PRIORITIES
from support_analytics.web.urls import url

DATE_OPERATORS: tuple[tuple[str, str], ...] = (
    ("", "Any date"),
    (DateOp.ON.value, "On"),
    (DateOp.BETWEEN.value, "Between"),
    (DateOp.ON_OR_BEFORE.value, "On or before"),
    (DateOp.ON_OR_AFTER.value, "On or after"),
)
SET_OPERATORS: tuple[tuple[str, str], ...] = (
    (SetOp.IS.value, "is"),
    (SetOp.IS_NOT.value, "is not"),
    (SetOp.ANY_OF.value, "is any of"),
    (SetOp.NONE_OF.value, "is none of"),
)
# The filter bar's "Period" select: "" is a custom range typed into the date inputs; the
# others are the grammar's relative periods (RELATIVE_PHRASES), written into `date=` as is.
DATE_PERIODS: tuple[tuple[str, str], ...] = (
    ("", "Custom range"),
    ("last:7d", "Last 7 days"),
    ("last:30d", "Last 30 days"),
    ("last:90d", "Last 90 days"),
    ("last:12m", "Last 12 months"),
    ("this:week", "This week"),
    ("this:month", "This month"),
    ("this:quarter", "This quarter"),
    ("this:year", "This year"),
    ("previous:month", "Previous month"),
    ("previous:quarter", "Previous quarter"),
    ("previous:year", "Previous year"),
)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class SetControl:
    """One of team member / ticket type / priority / client / plan: an operator and a
    multi-select (searchable: app.js turns every one into a type-to-find list)."""

    key: str
    label: str
    op: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class DateControl:
    op: str
    first: str
    second: str
    period: str = ""

    @property
    def periods(self) -> tuple[tuple[str, str], ...]:
        return DATE_PERIODS


@dataclass(frozen=True)
class Chip:
    key: str
    text: str
    remove_url: str
    # The date chip carries the days the server resolved a relative period to: the chips
    # come back with every swap, so the bar's date inputs can show them (app.js).
    period: str = ""
    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class Names:
    team_members: dict[int, str]
    ticket_types: dict[int, str]
    clients: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Names:
        """Team members by display name, ticket types and clients by name (the lookups in
        their domain)."""
        return cls(
            team_members={o.id: o.name for o in queries.team_members(session)},
            ticket_types={o.id: o.name for o in queries.ticket_types(session)},
            clients={o.id: o.name for o in queries.clients(session)},
        )


@dataclass(frozen=True)
class ViewState:
    """Where we are: the view's path, the filter bar, and the view's own parameters."""

    path: str
    filters: TicketFilters
    extra: dict[str, str] = field(default_factory=dict)

    def params(
        self, *, filters: TicketFilters | None = None, **changes: str | int | None
    ) -> dict[str, str]:
        params = dict((filters if filters is not None else self.filters).to_params())
        extra = dict(self.extra)
        for key, value in changes.items():
            if value is None or value == "":
                extra.pop(key, None)
            else:
                extra[key] = str(value)
        params.update(extra)
        return params

    def url(self, *, filters: TicketFilters | None = None, **changes: str | int | None) -> str:
        return url(self.path, self.params(filters=filters, **changes))

    def at(self, path: str) -> str:
        """Another view with the same filter bar (view-local state does not carry over)."""
        return url(path, self.filters.to_params())


def date_control(flt: DateFilter | None) -> DateControl:
    if flt is None:
        return DateControl(op="", first="", second="")
    first = flt.end if flt.op is DateOp.ON_OR_BEFORE else flt.start
    second = flt.end if flt.op is DateOp.BETWEEN else None
    return DateControl(
        op=flt.op.value, first=_iso(first), second=_iso(second), period=flt.relative or ""
    )


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def _set_control(
    key: str,
    label: str,
    flt: SetFilter[int] | SetFilter[int | None] | SetFilter[str] | SetFilter[Plan] | None,
    choices: list[tuple[str, str]],
) -> SetControl:
    chosen: set[str] = set()
    if flt is not None:
        chosen = {UNASSIGNED if value is None else str(value) for value in flt.values}
    return SetControl(
        key=key,
        label=label,
        op=flt.op.value if flt is not None else SetOp.IS.value,
        options=tuple(Option(value, text, value in chosen) for value, text in choices),
    )


def controls(filters: TicketFilters, names: Names) -> tuple[DateControl, list[SetControl]]:
    members = [(str(i), name) for i, name in names.team_members.items()]
    members.append((UNASSIGNED, "Unassigned"))
    types = [(str(i), name) for i, name in names.ticket_types.items()]
    priorities = [(p.value, p.label) for p in PRIORITIES]
    clients = [(str(i), name) for i, name in names.clients.items()]
    plans = [(p.value, p.value.capitalize()) for p in Plan]
    priority_filter: SetFilter[str] | None = None
    if filters.priority is not None:
        priority_filter = SetFilter(
            filters.priority.op, tuple(p.value for p in filters.priority.values)
        )
    return date_control(filters.date), [
        _set_control("team_member", "Team member", filters.team_member, members),
        _set_control("ticket_type", "Ticket type", filters.ticket_type, types),
        _set_control("priority", "Priority", priority_filter, priorities),
        _set_control("client", "Client", filters.client, clients),
        _set_control("plan", "Plan", filters.plan, plans),
    ]


def chips(state: ViewState, names: Names) -> list[Chip]:
    """One removable chip per active filter; removing one keeps the others and the view state."""
    result: list[Chip] = []
    filters = state.filters
    for key in ("date", *SET_KEYS):
        if getattr(filters, key) is None:
            continue
        alone = replace(TicketFilters(), **{key: getattr(filters, key)})
        text = sentence(alone, names).removeprefix("Tickets ")
        rest = replace(filters, **{key: None})
        chip = Chip(key=key, text=text, remove_url=state.url(filters=rest, page=None))
        if key == "date" and filters.date is not None:
            chip = replace(
                chip,
                period=filters.date.relative or "",
                start=_iso(filters.date.start),
                end=_iso(filters.date.end),
            )
        result.append(chip)
    return result


# The filter bar's own controls. app.js folds them into the grammar's parameters before a
# request leaves; a form sent without JavaScript brings them raw, and the server folds them
# the same way (`folded_form_location`) and redirects to the address app.js would have built.
FORM_FIELDS = frozenset(
    {
        "date_period",
        "date_op",
        "date_from",
        "date_to",
        "team_member_op",
        "ticket_type_op",
        "priority_op",
        "client_op",
        "plan_op",
    }
)
SET_KEYS = ("team_member", "ticket_type", "priority", "client", "plan")
WIDER = {SetOp.IS.value: SetOp.ANY_OF.value, SetOp.IS_NOT.value: SetOp.NONE_OF.value}


def folded_form_location(path: str, items: list[tuple[str, str]]) -> str | None:
    """Where a filter bar submitted as a plain form leads: `path` with the canonical
    parameters (None when the request carries none of the bar's raw controls). Mirrors
    app.js's `filterParams`; the view's own keys keep their place."""
    if not any(key in FORM_FIELDS for key, _ in items):
        return None
    first = {key: value.strip() for key, value in reversed(items)}
    kept = [
        (key, value)
        for key, value in items
        if key not in FORM_FIELDS and key not in SET_KEYS and key not in ("date", "page")
    ]
    canonical: list[tuple[str, str]] = []
    period, op = first.get("date_period", ""), first.get("date_op", "")
    start, end = first.get("date_from", ""), first.get("date_to", "")
    if period:
        canonical.append(("date", period))
    elif op == DateOp.BETWEEN.value and start and end:
        canonical.append(("date", f"{op}:{start},{end}"))
    elif op and op != DateOp.BETWEEN.value and start:
        canonical.append(("date", f"{op}:{start}"))
    for key in SET_KEYS:
        chosen = [value for name, value in items if name == key and value]
        if not chosen:
            continue
        set_op = first.get(f"{key}_op") or SetOp.IS.value
        if len(chosen) > 1:
            set_op = WIDER.get(set_op, set_op)
        canonical.append((key, f"{set_op}:{','.join(chosen)}"))
    return url(path, [*kept, *canonical])


def redirect_plain_form(request: Request) -> None:
    """Route dependency (before `reject_unknown_query_params`): a filter bar sent without
    JavaScript is answered with a 303 to its canonical address."""
    location = folded_form_location(request.url.path, request.query_params.multi_items())
    if location is not None:
        # Dependencies cannot answer; the error handlers turn a 303 into the redirect.
        raise AppError("folded filter form", status_code=303, headers={"Location": location})


def sentence(filters: TicketFilters, names: Names) -> str:
    return describe(
        filters,
        team_members=names.team_members,
        ticket_types=names.ticket_types,
        clients=names.clients,
    )
