"""`TicketFilters` as a statement's shape and its parameters: the same WHERE clauses as
`filters.sql` (`set_clause`, `plan_clause`, `date_clauses`), with every value a named bind
parameter and every list one array (`= ANY`, `<> ALL`), so that one statement, built once
per shape (`db.statements.built`), answers every filter of that shape. A shape is which
conditions a filter has and their kind (negative or not, NULL listed or not), never a value
or a list's length: building SQLAlchemy statements cost the analytics readers more than
running them at 1M tickets (docs/performance.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Integer,
    String,
    all_,
    any_,
    bindparam,
)

from support_analytics.db.models import Client
from support_analytics.filters.model import TicketFilters
from support_analytics.filters.sql import TicketColumns, instant_range, membership, plan_membership

# A listed condition's values: ids, or priority and plan names.
Values = list[int] | list[str]

_ARRAYS: dict[str, ARRAY[int] | ARRAY[str]] = {
    "client_id": ARRAY(Integer),
    "plan": ARRAY(String),
    "assigned_to": ARRAY(Integer),
    "ticket_type_id": ARRAY(Integer),
    "priority": ARRAY(String),
}


@dataclass(frozen=True)
class Listed:
    """A set filter's shape: the `TicketColumns` field it tests ("plan": the clients on the
    listed plans), whether its operator is negative, and whether it lists NULL
    (`unassigned`). `SetFilter.admits` is what it says in SQL, as `set_clause` does."""

    field: str
    negative: bool
    null_listed: bool


def listed_dimensions(filters: TicketFilters) -> list[tuple[Listed, Values]]:
    """The non-date filters (`dimension_clauses`' order) as shapes and their listed values
    (NULL left out: the shape says whether it is listed)."""
    out: list[tuple[Listed, Values]] = []
    if filters.client is not None:
        ids = list(filters.client.values)
        out.append((Listed("client_id", filters.client.op.negative, False), ids))
    if filters.plan is not None:
        plans = [str(p) for p in filters.plan.values]
        out.append((Listed("plan", filters.plan.op.negative, False), plans))
    if filters.team_member is not None:
        members = [m for m in filters.team_member.values if m is not None]
        null_listed = len(members) != len(filters.team_member.values)
        out.append((Listed("assigned_to", filters.team_member.op.negative, null_listed), members))
    if filters.ticket_type is not None:
        types = list(filters.ticket_type.values)
        out.append((Listed("ticket_type_id", filters.ticket_type.op.negative, False), types))
    if filters.priority is not None:
        priorities = [str(p) for p in filters.priority.values]
        out.append((Listed("priority", filters.priority.op.negative, False), priorities))
    return out


def listed_clause(listed: Listed, columns: TicketColumns, name: str) -> ColumnElement[bool]:
    """`set_clause` (or `plan_clause`) of `listed` over `columns`, its values the array
    parameter `name`. An empty array is what `set_clause` says of no concrete value: ANY of
    none is false, ALL of none true."""
    values = bindparam(name, type_=_ARRAYS[listed.field])
    if listed.field == "plan":
        if columns.client_id is None:
            raise ValueError("a plan filter over a selectable without a client column")
        plans = Client.__table__.c.plan_type == any_(values)
        return plan_membership(columns.client_id, plans, negative=listed.negative)
    if listed.field == "client_id" and columns.client_id is None:
        raise ValueError("a client filter over a selectable without a client column")
    column = getattr(columns, listed.field)
    among = column != all_(values) if listed.negative else column == any_(values)
    return membership(column, among, negative=listed.negative, null_listed=listed.null_listed)


@dataclass(frozen=True)
class FilterShape:
    """`ticket_clauses`' shape: whether the creation instant has a lower and an upper bound,
    and the listed conditions."""

    lower: bool
    upper: bool
    dimensions: tuple[Listed, ...]


@dataclass(frozen=True)
class ShapedFilters:
    """A filter as `FilterShape` and the values its statement takes."""

    shape: FilterShape
    lower: datetime | None
    upper: datetime | None
    values: tuple[Values, ...]

    def params(self, prefix: str) -> dict[str, object]:
        """The parameters `shaped_clauses(self.shape, ..., prefix)` names."""
        out: dict[str, object] = {f"{prefix}{i}": v for i, v in enumerate(self.values)}
        if self.lower is not None:
            out[f"{prefix}lo"] = self.lower
        if self.upper is not None:
            out[f"{prefix}hi"] = self.upper
        return out


def shaped(filters: TicketFilters, tz: ZoneInfo) -> ShapedFilters:
    lower, upper = instant_range(filters.date, tz)
    dimensions = listed_dimensions(filters)
    return ShapedFilters(
        shape=FilterShape(
            lower=lower is not None,
            upper=upper is not None,
            dimensions=tuple(listed for listed, _ in dimensions),
        ),
        lower=lower,
        upper=upper,
        values=tuple(values for _, values in dimensions),
    )


_INSTANT = DateTime(timezone=True)


def shaped_clauses(
    shape: FilterShape, columns: TicketColumns, prefix: str
) -> list[ColumnElement[bool]]:
    """`ticket_clauses` for every filter of `shape`, its values the parameters
    `ShapedFilters.params(prefix)` gives."""
    clauses: list[ColumnElement[bool]] = []
    if shape.lower:
        clauses.append(columns.created_at >= bindparam(f"{prefix}lo", type_=_INSTANT))
    if shape.upper:
        clauses.append(columns.created_at < bindparam(f"{prefix}hi", type_=_INSTANT))
    clauses += [
        listed_clause(listed, columns, f"{prefix}{i}") for i, listed in enumerate(shape.dimensions)
    ]
    return clauses
