"""`TicketFilters` as parameters of one statement: the same WHERE clauses as `filters.sql`
(`set_clause`, `plan_clause`, `date_clauses`), with every value, every list (one array:
`= ANY`, `<> ALL`) and every operator a bind parameter, so that one statement, built once
(`db.statements.built`), answers every filter. Each condition is written for every operator
and for none ("mode 0 OR mode 1 AND ... OR mode 3 AND ..."): a statement without a name,
which is how the driver sends them, is planned with its parameters' values as constants, so
the planner folds that away to exactly the condition `set_clause` writes, and plans it as
such (indexes included). Building SQLAlchemy statements per request cost the analytics
readers more than running them at 1M tickets, and statements kept per kind of filter still
met a new kind on most bars (docs/performance.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Integer,
    SmallInteger,
    String,
    all_,
    and_,
    any_,
    bindparam,
    literal_column,
    or_,
)

from support_analytics.db.models import Client
from support_analytics.filters.model import TicketFilters
from support_analytics.filters.sql import TicketColumns, instant_range, membership, plan_membership

# A listed condition's values: ids, or priority and plan names.
Values = list[int] | list[str]

# The set filters as `TicketColumns` fields ("plan": the clients on the listed plans).
FIELDS = ("client_id", "plan", "assigned_to", "ticket_type_id", "priority")
_ARRAYS: dict[str, ARRAY[int] | ARRAY[str]] = {
    "client_id": ARRAY(Integer),
    "plan": ARRAY(String),
    "assigned_to": ARRAY(Integer),
    "ticket_type_id": ARRAY(Integer),
    "priority": ARRAY(String),
}
INSTANT = DateTime(timezone=True)


class Mode(IntEnum):
    """A set filter's operator as `SetFilter.admits` reads it: positive or negative, and
    whether NULL is listed (`unassigned`)."""

    ABSENT = 0
    ANY = 1
    ANY_OR_NULL = 2
    NONE = 3
    NONE_NOR_NULL = 4
    # `unassigned` alone: `IS NULL`, an index condition, where ANY_OR_NULL's
    # `= ANY('{}') OR IS NULL` is a filter over every assignee's rows (the complement that
    # "not unassigned" is read as, 2 ms at 1M).
    NULL = 5


@dataclass(frozen=True)
class Listed:
    """A set filter's mode and its listed values (NULL left out: the mode says whether it
    is listed)."""

    mode: Mode
    values: Values


_UNSET = Listed(Mode.ABSENT, [])

# The modes written for each set filter (`Mode.ABSENT` always is): every one a filter bar can
# ask. A reader whose filters can only take some of them passes fewer (`listed_clauses`'
# `modes`): PostgreSQL parses and analyses the whole text of a statement on every execution,
# the modes it folds away included.
Modes = dict[str, frozenset[Mode]]
_SIGNED = frozenset({Mode.ANY, Mode.NONE})
EVERY_MODE: Modes = dict.fromkeys(FIELDS, _SIGNED) | {
    "assigned_to": frozenset(Mode) - {Mode.ABSENT}
}


def _mode(negative: bool, null_listed: bool, values: Values) -> Mode:
    if negative:
        return Mode.NONE_NOR_NULL if null_listed else Mode.NONE
    if null_listed:
        return Mode.ANY_OR_NULL if values else Mode.NULL
    return Mode.ANY


def listed_dimensions(filters: TicketFilters) -> dict[str, Listed]:
    """Every set filter (`FIELDS`) as its mode and listed values, `Mode.ABSENT` if unset."""
    out = dict.fromkeys(FIELDS, _UNSET)
    if filters.client is not None:
        clients = list(filters.client.values)
        out["client_id"] = Listed(_mode(filters.client.op.negative, False, clients), clients)
    if filters.plan is not None:
        plans = [str(p) for p in filters.plan.values]
        out["plan"] = Listed(_mode(filters.plan.op.negative, False, plans), plans)
    if filters.team_member is not None:
        members = [m for m in filters.team_member.values if m is not None]
        null_listed = len(members) != len(filters.team_member.values)
        out["assigned_to"] = Listed(
            _mode(filters.team_member.op.negative, null_listed, members), members
        )
    if filters.ticket_type is not None:
        types = list(filters.ticket_type.values)
        out["ticket_type_id"] = Listed(_mode(filters.ticket_type.op.negative, False, types), types)
    if filters.priority is not None:
        priorities = [str(p) for p in filters.priority.values]
        out["priority"] = Listed(_mode(filters.priority.op.negative, False, priorities), priorities)
    return out


def _fields(columns: TicketColumns, modes: Modes) -> tuple[str, ...]:
    """The set filters written over `columns`: client and plan need a client column, and a
    filter with no mode in `modes` is not written."""
    fields = FIELDS if columns.client_id is not None else FIELDS[2:]
    return tuple(f for f in fields if modes[f])


def listed_params(
    dimensions: dict[str, Listed],
    columns: TicketColumns,
    prefix: str,
    *,
    modes: Modes = EVERY_MODE,
) -> dict[str, object]:
    """The parameters `listed_clauses(columns, prefix, modes=modes)` names. A filter those
    clauses cannot answer (a client or plan filter without a client column, a mode not in
    `modes`) is refused, not ignored."""
    fields = _fields(columns, modes)
    for field, listed in dimensions.items():
        if listed.mode is Mode.ABSENT:
            continue
        if field not in fields or listed.mode not in modes[field]:
            raise ValueError(f"a {field} filter ({listed.mode.name}) the statement does not write")
    out: dict[str, object] = {}
    for field in fields:
        listed = dimensions[field]
        out[f"{prefix}{field}"] = listed.values
        out[f"{prefix}{field}_m"] = int(listed.mode)
    return out


def _modes(
    mode: ColumnElement[int], per_mode: dict[Mode, ColumnElement[bool]]
) -> ColumnElement[bool]:
    # Folded by the planner to the one condition of the mode given (see the module's text).
    # The modes are literals, not parameters: fewer of those, and a shorter text to parse.
    def of(m: Mode) -> ColumnElement[bool]:
        return mode == literal_column(str(int(m)), SmallInteger)

    return or_(of(Mode.ABSENT), *(and_(of(m), c) for m, c in per_mode.items()))


def listed_clause(
    field: str, columns: TicketColumns, prefix: str, modes: frozenset[Mode]
) -> ColumnElement[bool]:
    """`set_clause` (or `plan_clause`) of the filter on `field` over `columns`, for each of
    `modes`: its values the array parameter `{prefix}{field}`, its mode `{prefix}{field}_m`.
    An empty array is what `set_clause` says of no concrete value: ANY of none is false,
    ALL of none true. Only an assignee filter lists NULL (`unassigned`)."""
    values = bindparam(f"{prefix}{field}", type_=_ARRAYS[field])
    mode = bindparam(f"{prefix}{field}_m", type_=SmallInteger)
    client = columns.client_id
    if field == "plan" and client is not None:
        plans = Client.__table__.c.plan_type == any_(values)
        per_mode = {
            Mode.ANY: plan_membership(client, plans, negative=False),
            Mode.NONE: plan_membership(client, plans, negative=True),
        }
    else:
        column = getattr(columns, field)  # `_fields` writes only the fields `columns` has
        among, outside = column == any_(values), column != all_(values)
        per_mode = {
            Mode.ANY: membership(column, among, negative=False, null_listed=False),
            Mode.NONE: membership(column, outside, negative=True, null_listed=False),
            Mode.ANY_OR_NULL: membership(column, among, negative=False, null_listed=True),
            Mode.NONE_NOR_NULL: membership(column, outside, negative=True, null_listed=True),
            Mode.NULL: column.is_(None),
        }
    return _modes(mode, {m: c for m, c in per_mode.items() if m in modes})


def listed_clauses(
    columns: TicketColumns, prefix: str, *, modes: Modes = EVERY_MODE
) -> list[ColumnElement[bool]]:
    """`listed_clause` of every set filter written over `columns` (`_fields`), each for its
    `modes`."""
    return [listed_clause(f, columns, prefix, modes[f]) for f in _fields(columns, modes)]


@dataclass(frozen=True)
class ShapedFilters:
    """A filter as the parameters of `shaped_clauses`: its creation instant's bounds (None:
    open) and its set filters."""

    lower: datetime | None
    upper: datetime | None
    dimensions: dict[str, Listed]

    def params(
        self, columns: TicketColumns, prefix: str, *, modes: Modes = EVERY_MODE
    ) -> dict[str, object]:
        """The parameters `shaped_clauses(columns, prefix, modes=modes)` names."""
        return listed_params(self.dimensions, columns, prefix, modes=modes) | {
            f"{prefix}lo": self.lower,
            f"{prefix}hi": self.upper,
        }


def shaped(filters: TicketFilters, tz: ZoneInfo) -> ShapedFilters:
    lower, upper = instant_range(filters.date, tz)
    return ShapedFilters(lower, upper, listed_dimensions(filters))


def shaped_clauses(
    columns: TicketColumns, prefix: str, *, modes: Modes = EVERY_MODE
) -> list[ColumnElement[bool]]:
    """`ticket_clauses` of any filter over `columns` whose set filters take `modes`, its
    values the parameters `ShapedFilters.params(columns, prefix, modes=modes)` gives (an
    open bound: NULL, folded away too)."""
    lower = bindparam(f"{prefix}lo", type_=INSTANT)
    upper = bindparam(f"{prefix}hi", type_=INSTANT)
    return [
        or_(lower.is_(None), columns.created_at >= lower),
        or_(upper.is_(None), columns.created_at < upper),
        *listed_clauses(columns, prefix, modes=modes),
    ]
