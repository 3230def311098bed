"""Responsiveness from the rollups of migration 0008 (`analytics_response_cube`,
`analytics_frt_hist`; week rows and finer bins since 0019): counts and sums from the cube,
exact percentiles by locating each wanted row's FRT bin from cumulated bin counts and reading
that one row at its offset inside the bin, along the facts' (bin, FRT) indexes. Nothing is
sorted; a read costs its offset inside the bin (bins of ~3,000 facts at most at 1M tickets).

`usable` says whether they answer a request: bucketed in the request's zone and no filter
beyond date, assignee, type and priority (the dimensions they carry), or client and plan with
no assignee or type condition and no grouping by assignee (the rows grouped by client,
`gmask` 4, since migration 0026); otherwise `responsiveness` reads the facts table directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeVarTuple, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    SmallInteger,
    String,
    any_,
    bindparam,
    case,
    column,
    func,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Select, TableValuedAlias

from support_analytics.analytics.tables import clients
from support_analytics.db import tables
from support_analytics.db.per_transaction import once
from support_analytics.db.statements import built
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import DateFilter, Plan, SetFilter, SetOp
from support_analytics.filters.shaped import (
    EVERY_MODE,
    Listed,
    Mode,
    Modes,
    listed_clauses,
    listed_dimensions,
    listed_params,
    shaped,
    shaped_clauses,
)
from support_analytics.filters.sql import (
    TicketColumns,
    bucket_condition,
    bucket_runs,
    dimension_clauses,
)

Ts = TypeVarTuple("Ts")

# Declared with every other table, on one MetaData (db/tables.py).
cube = tables.analytics_response_cube
hist = tables.analytics_frt_hist
any_priority = tables.analytics_frt_hist_any_priority
wide = tables.analytics_frt_wide
wide_any_priority = tables.analytics_frt_wide_any_priority
# Histogram bins per wide bin (migration 0030: wide bin = bin // WIDTH).
WIDTH = 16
# Each slice's wide-bin counts as one array of WIDE_BINS (migration 0032): percentile reads
# sum these first.
counts = tables.analytics_frt_counts
counts_any_priority = tables.analytics_frt_counts_any_priority
WIDE_BINS = 89
state = tables.analytics_response_state

facts = tables.ticket_response_facts


CUBE_COLUMNS = TicketColumns(
    created_at=cube.c.bucket,
    assigned_to=cube.c.assigned_to,
    ticket_type_id=cube.c.ticket_type_id,
    priority=cube.c.priority,
    client_id=cube.c.client_id,
)
HIST_COLUMNS = TicketColumns(
    created_at=hist.c.bucket,
    assigned_to=hist.c.assigned_to,
    ticket_type_id=hist.c.ticket_type_id,
    priority=hist.c.priority,
    client_id=hist.c.client_id,
)
WIDE_COLUMNS = TicketColumns(
    created_at=wide.c.bucket,
    assigned_to=wide.c.assigned_to,
    ticket_type_id=wide.c.ticket_type_id,
    priority=wide.c.priority,
    client_id=wide.c.client_id,
)
# The rows grouped by client (migration 0026); 1-3 group by assignee and/or type. A plan is
# a set of clients (`plan_clause`), so the same rows answer it.
CLIENT_MASK = 4
# Its `priority` is always NULL: read only when the filter has no priority (`bins_by`).
ANY_PRIORITY_COLUMNS = TicketColumns(
    created_at=any_priority.c.bucket,
    assigned_to=any_priority.c.assigned_to,
    ticket_type_id=any_priority.c.ticket_type_id,
    priority=any_priority.c.priority,
)
WIDE_ANY_PRIORITY_COLUMNS = TicketColumns(
    created_at=wide_any_priority.c.bucket,
    assigned_to=wide_any_priority.c.assigned_to,
    ticket_type_id=wide_any_priority.c.ticket_type_id,
    priority=wide_any_priority.c.priority,
)
COUNTS_COLUMNS = TicketColumns(
    created_at=counts.c.bucket,
    assigned_to=counts.c.assigned_to,
    ticket_type_id=counts.c.ticket_type_id,
    priority=counts.c.priority,
    client_id=counts.c.client_id,
)
COUNTS_ANY_PRIORITY_COLUMNS = TicketColumns(
    created_at=counts_any_priority.c.bucket,
    assigned_to=counts_any_priority.c.assigned_to,
    ticket_type_id=counts_any_priority.c.ticket_type_id,
    priority=counts_any_priority.c.priority,
)


def usable(
    session: Session, filters: TicketFilters, tz: ZoneInfo, *, by_member: bool = False
) -> bool:
    """Rollups bucketed in `tz`, and the filter only on the dimensions they carry: a client
    or plan filter only without an assignee or type condition and not grouped by assignee
    (`by_member`), as the client rows group by client alone."""
    known = replace(
        filters,
        date=None,
        team_member=None,
        ticket_type=None,
        priority=None,
        client=None,
        plan=None,
    )
    if known != TicketFilters():
        return False
    if filters.by_client and (
        by_member or filters.team_member is not None or filters.ticket_type is not None
    ):
        return False
    return rollup_state(session).timezone == tz.key


@dataclass(frozen=True)
class RollupState:
    """What chooses how the rollups are read, read once per transaction (`rollup_state`)."""

    timezone: str | None
    """The zone the rollups are bucketed in: they answer requests in that zone only."""
    hist_rows: float
    """The histogram's size as the planner knows it (`reltuples`: -1 before its first
    ANALYZE): from `WIDE_FROM_ROWS` on, percentile reads go through the wide bins."""
    first_day: date | None
    last_day: date | None
    """The data's first and last creation day in the rollups (`outside`)."""


# The histogram's size as the planner knows it.
_pg_class = table("pg_class", column("oid"), column("reltuples"))
_HIST_ROWS = (
    select(_pg_class.c.reltuples)
    .where(_pg_class.c.oid == func.to_regclass("analytics_frt_hist"))
    .scalar_subquery()
)
_DAYS = (cube.c.gmask == 0, cube.c.grain == "d")
_STATE = select(
    state.c.timezone,
    _HIST_ROWS,
    select(func.min(cube.c.bucket)).where(*_DAYS).scalar_subquery(),
    select(func.max(cube.c.bucket)).where(*_DAYS).scalar_subquery(),
)


def rollup_state(session: Session) -> RollupState:
    """The rollups' zone, the histogram's size and the data's span, in one statement and once
    per transaction: a request asks for them several times (the cards' rollup check, their
    SLA block's, each date filter's reading). A read transaction sees one snapshot, and the
    size and the span only choose how a filter is read; every choice is exact."""

    def read() -> RollupState:
        zone, rows, first, last = session.execute(_STATE).one()
        return RollupState(
            timezone=zone,
            hist_rows=-1.0 if rows is None else float(rows),
            first_day=first,
            last_day=last,
        )

    return once(session, "response_rollups.state", read)


# From this many histogram rows percentile reads sum the wide bins (migration 0030) and then
# read the fine counts of the few they need, two statements. Below it the histogram's rows
# are few anyway (the reference data: 143,000 rows, about as many as in wide bins, with
# nearly every first reply in one bin) and one statement over them costs less. Either way
# the answer is the same.
WIDE_FROM_ROWS = 1_000_000


def wide_pays(session: Session) -> bool:
    """Whether percentile reads go through the wide bins (`RollupState.hist_rows`)."""
    return rollup_state(session).hist_rows >= WIDE_FROM_ROWS


def mask(filters: TicketFilters, *, by_member: bool = False) -> int:
    if filters.by_client:
        return CLIENT_MASK
    member = by_member or filters.team_member is not None
    return (1 if member else 0) | (2 if filters.ticket_type is not None else 0)


def slice_where(
    columns: TicketColumns,
    gmask: ColumnElement[int],
    grain: ColumnElement[str],
    bucket: ColumnElement[date],
    filters: TicketFilters,
    *,
    by_member: bool = False,
) -> list[ColumnElement[bool]]:
    """The rollup rows that answer `filters` (grouped by assignee if `by_member`)."""
    when: ColumnElement[bool] = (
        grain == "a" if filters.date is None else bucket_condition(filters.date, bucket, grain)
    )
    return [
        gmask == mask(filters, by_member=by_member),
        when,
        *dimension_clauses(filters, columns),
    ]


def outside(session: Session, flt: DateFilter | None) -> list[DateFilter] | None:
    """The days a date filter leaves out, before and after it, when fewer of the data's days
    fall there than inside it: every row (grain 'a') less those rows is the filter's rows, and
    reads fewer buckets. An early start reads a few partial days instead of every month
    since; a bound past the data's last day (or before its first) leaves no day of the data
    out there, so "on or before" a day after the data reads the all-time rows and an empty
    range after it, not every month; a long range, the all-time rows less a few days at
    both ends. Every bound is kept (its outside read even when empty), so a ticket written
    meanwhile on a day outside the filter stays out."""
    if flt is None:
        return None
    span = rollup_state(session)
    first, last = span.first_day, span.last_day
    if first is None or last is None:
        return None
    out: list[DateFilter] = []
    lo, hi = first, last
    if flt.start is not None:
        out.append(DateFilter.on_or_before(flt.start - timedelta(days=1)))
        lo = max(flt.start, first)
    if flt.end is not None:
        out.append(DateFilter.on_or_after(flt.end + timedelta(days=1)))
        hi = min(flt.end, last)
    left_out = max(0, (lo - first).days) + max(0, (last - hi).days)
    return out if left_out < (hi - lo).days + 1 else None


_PLAN_NAMES = {p.value for p in Plan}


def _plans(session: Session) -> list[tuple[int, Plan | None]]:
    """Every client's id and plan, read once per transaction (a request with a client or
    plan filter asks for them in each of its reads). A plan the filter cannot name (the
    column is free text) is on none of the listed plans, as NULL is for `SetFilter.admits`."""
    c = clients.c
    return once(
        session,
        "response_rollups.plans",
        lambda: [
            (int(i), Plan(p) if p in _PLAN_NAMES else None)
            for i, p in session.execute(select(c.id, c.plan_type))
        ],
    )


# The modes of a filter after `listed_clients`: no plan filter.
LISTED_CLIENT_MODES: Modes = EVERY_MODE | {"plan": frozenset()}


def _admitted(session: Session, filters: TicketFilters) -> tuple[list[int], list[int]]:
    """The clients a client or plan filter admits and the others (`SetFilter.admits` is
    what `set_clause` and `plan_clause` say in SQL)."""
    admitted: list[int] = []
    others: list[int] = []
    for client_id, plan in _plans(session):
        client_ok = filters.client is None or filters.client.admits(client_id)
        plan_ok = filters.plan is None or filters.plan.admits(plan)
        (admitted if client_ok and plan_ok else others).append(client_id)
    return admitted, others


def listed_clients(session: Session, filters: TicketFilters) -> TicketFilters:
    """`filters` with a client or plan filter as the shorter list of client ids that says
    the same (every ticket has a client): the facts' reads then filter each row by a list
    instead of joining `clients`, which made the planner repeat a bin's scan per client."""
    if not filters.by_client:
        return filters
    admitted, others = _admitted(session, filters)
    if len(others) < len(admitted):
        return replace(filters, client=SetFilter(SetOp.NONE_OF, tuple(others)), plan=None)
    return replace(filters, client=SetFilter(SetOp.ANY_OF, tuple(admitted)), plan=None)


def _by_clients(session: Session, filters: TicketFilters) -> list[tuple[TicketFilters, int]]:
    """A client or plan filter as the clients it admits, listed (`SetFilter.admits` is what
    `set_clause` and `plan_clause` say in SQL): their rows grouped by client, or every row
    (`gmask` 0) less the other clients' rows when those are fewer. Every ticket has a client
    (NOT NULL, a foreign key), so both are exactly the filter's tickets. Listed ids, not a
    subquery over `clients`, let the planner read each date bucket's index range once for
    all the clients (a plan's subquery made it walk the index per client: 600 ms at 1M)."""
    if not filters.by_client:
        return [(filters, 1)]
    admitted, others = _admitted(session, filters)
    plain = replace(filters, client=None, plan=None)
    if len(others) < len(admitted):
        listed = replace(plain, client=SetFilter(SetOp.ANY_OF, tuple(others)))
        return [(plain, 1), (listed, -1)] if others else [(plain, 1)]
    return [(replace(plain, client=SetFilter(SetOp.ANY_OF, tuple(admitted))), 1)]


_INTEGERS = ARRAY(Integer)

# Rollup buckets to read and the sign to sum their rows with: grain, first and last bucket
# (None: open), sign. Grain 'a' (all time) has no bucket.
Run = tuple[str, date | None, date | None, int]


# The modes a slice's set filters can take (`signed_plan`): a client or plan filter is its
# clients listed (`_by_clients`), a negative type or assignee filter every row less the
# listed values' (`TicketFilters.complemented`), except the assignee's in a read grouped by
# assignee (`MEMBER_SLICE_MODES`). The statements write only these (`shaped_rows`): PostgreSQL
# parses and analyses every mode's text on each execution, a third of each statement.
SLICE_MODES: Modes = EVERY_MODE | {
    "client_id": frozenset({Mode.ANY}),
    "plan": frozenset(),
    "assigned_to": frozenset({Mode.ANY, Mode.ANY_OR_NULL, Mode.NULL}),
    "ticket_type_id": frozenset({Mode.ANY}),
}
MEMBER_SLICE_MODES: Modes = SLICE_MODES | {"assigned_to": EVERY_MODE["assigned_to"]}


@dataclass(frozen=True)
class Slice:
    """One signed slice of a rollup's rows: its grouping, its set filters, the sign of its
    all-time row (0: not read) and its bucketed runs (any number of them)."""

    mask: int
    dimensions: dict[str, Listed]
    all_time: int
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Slices:
    """`signed_plan`'s slices, `member` if the assignee filter is kept as given (a read
    grouped by assignee). The statement reading them depends only on their `shape`
    (`shaped_rows`); everything else is its parameters."""

    slices: tuple[Slice, ...]
    member: bool = False

    def __len__(self) -> int:
        return len(self.slices)

    @property
    def shape(self) -> tuple[int, bool]:
        """What the statement reading these slices depends on: part of its key."""
        return len(self.slices), self.member

    @property
    def modes(self) -> Modes:
        return MEMBER_SLICE_MODES if self.member else SLICE_MODES

    def params(self, columns: TicketColumns, prefix: str) -> dict[str, object]:
        """The parameters `shaped_rows(..., self, ..., prefix=prefix)` names over a rollup
        with `columns`."""
        out: dict[str, object] = {}
        for i, s in enumerate(self.slices):
            p = f"{prefix}{i}_"
            out.update(listed_params(s.dimensions, columns, p, modes=self.modes))
            out[f"{p}mask"] = s.mask
            out[f"{p}a"] = s.all_time
            out[f"{p}g"] = [r[0] for r in s.runs]
            out[f"{p}lo"] = [r[1] or date.min for r in s.runs]
            out[f"{p}hi"] = [r[2] or date.max for r in s.runs]
            out[f"{p}s"] = [r[3] for r in s.runs]
        return out


def signed_plan(session: Session, filters: TicketFilters, *, by_member: bool = False) -> Slices:
    """The rows that answer `filters`, as slices to sum with their runs' signs: negative
    assignee and type filters as their complements (`TicketFilters.complemented`), a client
    or plan filter as listed clients (`_by_clients`), and each of those over the date
    filter's buckets (+1), or every row (+1) less the rows of the days outside the filter
    (-1) when fewer (`outside`). Sums of counts are exact either way."""
    left_out = outside(session, filters.date)
    runs: list[Run]
    if left_out is None:
        runs = (
            [("a", None, None, 1)]
            if filters.date is None
            else [(g, lo, hi, 1) for g, lo, hi in bucket_runs(filters.date)]
        )
    else:
        runs = [("a", None, None, 1)] + [
            (g, lo, hi, -1) for flt in left_out for g, lo, hi in bucket_runs(flt)
        ]
    slices: list[Slice] = []
    for listed, factor in _by_clients(session, filters):
        for term, sign in listed.complemented(member=not by_member):
            signed = [(g, lo, hi, s * sign * factor) for g, lo, hi, s in runs]
            slices.append(
                Slice(
                    mask=mask(term, by_member=by_member),
                    dimensions=listed_dimensions(term),
                    all_time=next((run[3] for run in signed if run[0] == "a"), 0),
                    runs=tuple(run for run in signed if run[0] != "a"),
                )
            )
    return Slices(tuple(slices), member=by_member)


def _per_run(stmt: Select[*Ts], runs: TableValuedAlias) -> Select[*Ts]:
    """`stmt` (its conditions name `runs`' columns) once per run: a LATERAL subquery, which
    the planner can only read by index per run."""
    # OFFSET 0 keeps the subquery from being pulled up into a join the planner may hash.
    each = stmt.offset(0).lateral("each_run")
    return cast("Select[*Ts]", select(*each.c).select_from(runs.join(each, true())))


@dataclass(frozen=True)
class Rollup:
    """A rollup table's key columns (grouping, grain, bucket) and the filter bar's
    dimensions in it."""

    gmask: ColumnElement[int]
    grain: ColumnElement[str]
    bucket: ColumnElement[date]
    columns: TicketColumns


def shaped_rows(
    rollup: Rollup,
    slices: Slices,
    row: Callable[[ColumnElement[int]], Select[*Ts]],
    *,
    prefix: str,
    extra: Sequence[ColumnElement[bool]] = (),
) -> list[Select[*Ts]]:
    """The statements whose rows, summed, answer any slices of the `shape` of `slices` from
    a rollup (`Slices.params(rollup.columns, prefix)` gives their parameters): `row(sign)` (its
    counts multiplied by the sign) over each slice's all-time row (a sign 0 folds it away)
    and over its bucketed runs, run by run (`unnest` of four arrays, each run one range of
    the key index: with an OR of ranges and a priority condition the planner read the key
    index by `gmask` and priority with a skip scan and filtered the buckets, 165,000 index
    entries for 900 rows at 1M), with `extra` conditions."""
    r = rollup
    parts: list[Select[*Ts]] = []
    for i in range(len(slices)):
        p = f"{prefix}{i}_"
        where = [
            r.gmask == bindparam(f"{p}mask", type_=SmallInteger),
            *listed_clauses(r.columns, p, modes=slices.modes),
        ]
        all_time = bindparam(f"{p}a", type_=Integer)
        parts.append(row(all_time).where(*where, r.grain == "a", all_time != 0, *extra))
        runs = (
            func.unnest(
                bindparam(f"{p}g", type_=ARRAY(String)),
                bindparam(f"{p}lo", type_=ARRAY(Date)),
                bindparam(f"{p}hi", type_=ARRAY(Date)),
                bindparam(f"{p}s", type_=ARRAY(Integer)),
            )
            .table_valued("g", "lo", "hi", "s")
            .render_derived(name="runs")
        )
        on = [r.grain == runs.c.g, r.bucket >= runs.c.lo, r.bucket <= runs.c.hi]
        parts.append(_per_run(row(runs.c.s).where(*where, *on, *extra), runs))
    return parts


@dataclass(frozen=True)
class Totals:
    n_frt: int
    frt_sum: float
    awaiting: int
    done: int
    one_touch: int


CUBE = Rollup(cube.c.gmask, cube.c.grain, cube.c.bucket, CUBE_COLUMNS)


def _totals_row(sign: ColumnElement[int]) -> Select[str | None, int | None, float, int, int, int]:
    # Sums over no row are NULL, all of them (`totals` skips that row): typed by the first.
    c = cube.c
    return select(
        c.priority,
        func.sum(c.n_frt * sign),
        func.sum(c.frt_sum * sign),
        func.sum(c.n_awaiting * sign),
        func.sum(c.n_done * sign),
        func.sum(c.n_one_touch * sign),
    ).group_by(c.priority)


def totals(session: Session, filters: TicketFilters) -> dict[str | None, Totals]:
    """Per priority (NULL priority under its own key) from the cube."""
    slices = signed_plan(session, filters)

    def build() -> (
        Select[str | None, int | None, float, int, int, int]
        | CompoundSelect[str | None, int | None, float, int, int, int]
    ):
        return union_all(*shaped_rows(CUBE, slices, _totals_row, prefix="r"))

    stmt = built(("rr.totals", slices.shape), build)
    out: dict[str | None, Totals] = {}
    for row in session.execute(stmt, slices.params(CUBE_COLUMNS, "r")):
        if row[1] is None:
            continue
        before = out.get(row[0], Totals(0, 0.0, 0, 0, 0))
        out[row[0]] = Totals(
            before.n_frt + int(row[1]),
            before.frt_sum + float(row[2]),
            before.awaiting + int(row[3]),
            before.done + int(row[4]),
            before.one_touch + int(row[5]),
        )
    return out


Bins = dict[int, int]
# A group of bins: (grouping column or None for all rows, its value).
Group = tuple[str | None, str | int | None]


def _bin_row(
    key: ColumnElement[str | int | None],
    bin_: ColumnElement[int],
    count: ColumnElement[int],
    factor: int,
) -> Callable[[ColumnElement[int]], Select[str | int | None, int, int, int]]:
    """A histogram's (or wide table's) rows as (group, bin, sign, count or fine counts)."""

    def row(sign: ColumnElement[int]) -> Select[str | int | None, int, int, int]:
        return select(key.label("g"), bin_.label("b"), (sign * factor).label("s"), count.label("n"))

    return row


_ROLLUPS = {
    source.name: (source, columns)
    for source, columns in (
        (hist, HIST_COLUMNS),
        (any_priority, ANY_PRIORITY_COLUMNS),
        (wide, WIDE_COLUMNS),
        (wide_any_priority, WIDE_ANY_PRIORITY_COLUMNS),
        (counts, COUNTS_COLUMNS),
        (counts_any_priority, COUNTS_ANY_PRIORITY_COLUMNS),
    )
}


def _bins(
    session: Session,
    filters: TicketFilters,
    by: str,
    *,
    wide_bins: bool,
    only: Sequence[int] | None = None,
) -> dict[str | int | None, Bins]:
    """Bin counts per `by` (see `bins_by`), or with `only` (wide bins) the histogram's bins
    inside those, from the wide rows' `fine` counts."""
    if not wide_bins:
        by_priority, summed = hist.name, any_priority.name
    elif only is None:
        by_priority, summed = counts.name, counts_any_priority.name
    else:
        by_priority, summed = wide.name, wide_any_priority.name
    reads = [(by_priority, filters, 1)]
    priority = filters.priority
    if by == "assigned_to" and (priority is None or priority.op.negative):
        reads = [(summed, replace(filters, priority=None), 1)]
        if priority is not None:
            listed = replace(filters, priority=SetFilter(SetOp.ANY_OF, priority.values))
            reads.append((by_priority, listed, -1))
    plans = [
        (name, signed_plan(session, term, by_member=by == "assigned_to"), factor)
        for name, term, factor in reads
    ]
    params: dict[str, object] = {}
    for j, (name, slices, _) in enumerate(plans):
        params.update(slices.params(_ROLLUPS[name][1], f"r{j}_"))
    if only is not None:
        params["only"] = list(only)
    key = ("rr._bins", by, only is None, tuple((n, s.shape, f) for n, s, f in plans))
    if only is not None:
        fine: dict[str | int | None, Bins] = {}
        for group, wide_bin, *places in session.execute(
            built(key, lambda: _fine_stmt(by, plans)), params
        ):
            into = fine.setdefault(group, {})
            for i, n in enumerate(places):
                if n:
                    into[wide_bin * WIDTH + i] = int(n)
        return fine
    if wide_bins:
        # A group whose signed counts cancel out has no bins, as in `_bins_stmt`.
        return {
            group: {b: int(n) for b, n in enumerate(places) if n}
            for group, *places in session.execute(
                built(key, lambda: _counts_stmt(by, plans)), params
            )
            if any(places)
        }
    stmt = built(key, lambda: _bins_stmt(by, plans))
    return {
        group: dict(zip(bins, numbers, strict=True))
        for group, bins, numbers in session.execute(stmt, params)
    }


def _signed_bins(
    by: str, plans: Sequence[tuple[str, Slices, int]], *, fine: bool
) -> Select[str | int | None, int, int, int] | CompoundSelect[str | int | None, int, int, int]:
    """The signed (group, bin, sign, count) rows of `plans` (`_bins`)."""
    parts: list[Select[str | int | None, int, int, int]] = []
    for j, (name, slices, factor) in enumerate(plans):
        source, columns = _ROLLUPS[name]
        h = source.c
        # The wide tables' key has the bin after the grain (migration 0032): each wanted
        # bin's date run is one index range, the other bins' entries are not walked.
        wanted = [h.bin == any_(bindparam("only", type_=_INTEGERS))] if fine else []
        parts += shaped_rows(
            Rollup(h.gmask, h.grain, h.bucket, columns),
            slices,
            _bin_row(
                h.priority if by == "priority" else h.assigned_to,
                h.bin,
                h.fine if fine else h.n,
                factor,
            ),
            prefix=f"r{j}_",
            extra=wanted,
        )
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _count_row(
    key: ColumnElement[str | int | None], wide_counts: ColumnElement[list[int]], factor: int
) -> Callable[[ColumnElement[int]], Select[str | int | None, int, list[int]]]:
    """A counts table's rows as (group, sign, wide-bin counts)."""

    def row(sign: ColumnElement[int]) -> Select[str | int | None, int, list[int]]:
        return select(key.label("g"), (sign * factor).label("s"), wide_counts.label("w"))

    return row


def _counts_stmt(
    by: str, plans: Sequence[tuple[str, Slices, int]]
) -> Select[str | int | None, *tuple[int, ...]]:
    # Place by place, as the fine counts: one row per bucket and slice instead of one per
    # wide bin (migration 0032). A place no row has sums to NULL, read as 0.
    parts: list[Select[str | int | None, int, list[int]]] = []
    for j, (name, slices, factor) in enumerate(plans):
        source, columns = _ROLLUPS[name]
        h = source.c
        parts += shaped_rows(
            Rollup(h.gmask, h.grain, h.bucket, columns),
            slices,
            _count_row(h.priority if by == "priority" else h.assigned_to, h.wide, factor),
            prefix=f"r{j}_",
        )
    rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("signed")
    places = [func.sum(rows.c.w[b + 1] * rows.c.s) for b in range(WIDE_BINS)]
    return select(rows.c.g, *places).group_by(rows.c.g)


def _fine_stmt(
    by: str, plans: Sequence[tuple[str, Slices, int]]
) -> Select[str | int | None, int, *tuple[int, ...]]:
    # Place by place over the few wide rows: unnesting them into (bin, count) rows first
    # sorted 16 times as many rows (22 ms for 1,554 wide rows at 1M).
    rows = _signed_bins(by, plans, fine=True).subquery("signed")
    places = [func.sum(rows.c.n[i + 1] * rows.c.s) for i in range(WIDTH)]
    return select(rows.c.g, rows.c.b, *places).group_by(rows.c.g, rows.c.b)


def _bins_stmt(
    by: str, plans: Sequence[tuple[str, Slices, int]]
) -> Select[str | int | None, list[int], list[int]]:
    rows = _signed_bins(by, plans, fine=False).subquery("signed")
    # bigint, not sum()'s numeric: 15,000 numerics cost the driver 2.5 ms more as Decimals.
    sums = (
        select(rows.c.g, rows.c.b, func.sum(rows.c.n * rows.c.s).cast(BigInteger).label("n"))
        .group_by(rows.c.g, rows.c.b)
        .subquery("sums")
    )
    # One row per group with its bins as two arrays: thousands of (group, bin) rows cost more
    # to fetch as rows than to sum. Unordered (hashed, not sorted): `locate` sorts the bins.
    return (
        select(sums.c.g, func.array_agg(sums.c.b), func.array_agg(sums.c.n))
        .where(sums.c.n != 0)
        .group_by(sums.c.g)
    )


def bins_by(
    session: Session, filters: TicketFilters, by: str, *, wide_bins: bool = False
) -> dict[str | int | None, Bins]:
    """FRT bin counts per priority (`by="priority"`) or per assignee (`by="assigned_to"`):
    the histogram's bins, or (`wide_bins`) the wide bins of migration 0030, summed from each
    slice's folded counts (migration 0032). Per assignee with no priority filter they come
    from the table with the priority summed away (a fifth of the rows); with a negative one
    (`is_not`, `none_of`), from that table less the listed priorities' rows (negative filters
    keep NULLs: exactly their complement)."""
    return _bins(session, filters, by, wide_bins=wide_bins)


def fine_bins(
    session: Session, filters: TicketFilters, by: str, wide_bins: Sequence[int]
) -> dict[str | int | None, Bins]:
    """The histogram's bins inside the wide bins `wide_bins`, per priority or assignee, from
    the wide rows' `fine` counts: the rows of those wide bins only."""
    return _bins(session, filters, by, wide_bins=True, only=wide_bins)


def positions(count: int, quantiles: Sequence[float]) -> list[int]:
    """1-based row numbers percentile_cont interpolates between for `quantiles`."""
    wanted: set[int] = set()
    for q in quantiles:
        position = q * (count - 1)
        wanted.update((math.floor(position) + 1, math.ceil(position) + 1))
    return sorted(wanted)


def interpolate(values: dict[int, float], count: int, q: float) -> float:
    position = q * (count - 1)
    low, high = math.floor(position), math.ceil(position)
    first, second = values[low + 1], values[high + 1]
    return first + (position - low) * (second - first)


# A read: (tag, group key or None for all, bin, offset from the bin's nearer end, descending,
# whether to check the bin's ends first: `dominant`).
Read = tuple[int, str | int | None, int, int, bool, bool]

# A bin holding at least this share of its group's rows, and at least `DOMINANT_ROWS`, has
# its ends read first (`_read_stmt`): such a bin is likely one value. Exact either way.
DOMINANT_SHARE = 4
DOMINANT_ROWS = 64


def dominant(in_bin: int, count: int) -> bool:
    return in_bin >= DOMINANT_ROWS and in_bin * DOMINANT_SHARE >= count


def locate(tag_base: int, group: str | int | None, bins: Bins, wanted: list[int]) -> list[Read]:
    """Each wanted row's bin and offset, read from the nearer end of its bin."""
    ordered = sorted(bins)  # the keys alone: sorting (bin, count) pairs cost twice as much
    count = sum(bins.values())
    out: list[Read] = []
    before, index = 0, 0
    for position in wanted:
        while before + bins[ordered[index]] < position:
            before += bins[ordered[index]]
            index += 1
        bin_ = ordered[index]
        in_bin = bins[bin_]
        offset = position - before - 1
        check = dominant(in_bin, count)
        if offset < in_bin - 1 - offset:
            out.append((tag_base + position, group, bin_, offset, False, check))
        else:
            out.append((tag_base + position, group, bin_, in_bin - 1 - offset, True, check))
    return out


_FACT_COLUMNS = TicketColumns(
    created_at=facts.c.created_at,
    assigned_to=facts.c.assigned_to,
    ticket_type_id=facts.c.ticket_type_id,
    priority=facts.c.priority,
    client_id=facts.c.client_id,
)


def _read_stmt(by: str | None, descending: bool, *, check: bool) -> Select[int, float]:
    """The reads grouped by `by` from one end of their bins: the arrays `_read_params` gives,
    one row each (a LATERAL read at its offset along the facts' (bin, FRT, instant) index).
    With `check` (reads in a `dominant` bin) a read first reads the bin's first and last
    fact under the filter: if both have one FRT, every fact between has it too, and the read
    at an offset is skipped (CASE evaluates it only for the other bins). On the reference
    data one bin holds 42,490 tickets all answered in exactly 30 minutes: a read at its
    middle walked ~20,000 index entries (6-17 ms), its two ends cost ~0.05 ms (PostgreSQL 18
    skips to the filter's instants inside an FRT: migration 0031). At 1M tickets no bin
    dominates a group, and checking every read's ends cost 1-3 ms a request more."""
    name = f"w_{by or 'all'}_{'d' if descending else 'a'}"
    key_type = Integer if by == "assigned_to" else String
    wanted = select(
        func.unnest(bindparam(f"{name}_k", type_=ARRAY(BigInteger))).label("k"),
        func.unnest(bindparam(f"{name}_g", type_=ARRAY(key_type))).label("g"),
        func.unnest(bindparam(f"{name}_b", type_=_INTEGERS)).label("b"),
        func.unnest(bindparam(f"{name}_o", type_=_INTEGERS)).label("o"),
    ).subquery(name)
    f = facts.c
    where: list[ColumnElement[bool]] = [
        f.frt_bin == wanted.c.b,
        f.frt_hours.is_not(None),
        *shaped_clauses(_FACT_COLUMNS, "f", modes=LISTED_CLIENT_MODES),
    ]
    if by == "priority":
        where.append(f.priority == wanted.c.g)
    elif by == "assigned_to":
        where.append(f.assigned_to == wanted.c.g)
    at = (
        select(f.frt_hours)
        .where(*where)
        .order_by(f.frt_hours.desc() if descending else f.frt_hours)
        .offset(wanted.c.o)
        .limit(1)
    )
    if not check:
        row = at.lateral(f"r{name}")
        return select(wanted.c.k, row.c.frt_hours).select_from(wanted.join(row, true()))
    first, last = (
        select(f.frt_hours).where(*where).order_by(order).limit(1).lateral(f"{end}{name}")
        for end, order in (("lo", f.frt_hours), ("hi", f.frt_hours.desc()))
    )
    one = first.c.frt_hours == last.c.frt_hours
    value = case((one, first.c.frt_hours), else_=at.scalar_subquery())
    return select(wanted.c.k, value.label("frt_hours")).select_from(
        wanted.join(first, true()).join(last, true())
    )


def _read_params(by: str | None, reads: list[Read], descending: bool) -> dict[str, object]:
    mine = [r for r in reads if r[4] == descending]
    name = f"w_{by or 'all'}_{'d' if descending else 'a'}"
    return {
        f"{name}_k": [r[0] for r in mine],
        f"{name}_g": [r[1] for r in mine],
        f"{name}_b": [r[2] for r in mine],
        f"{name}_o": [r[3] for r in mine],
    }


def read_values(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    reads_by: dict[str | None, list[Read]],
) -> dict[int, float]:
    """Tag -> FRT hours of every read (`reads_by` keyed by the grouping column or None): one
    statement for the reads that check their bin's ends first (`dominant`), one for the
    others."""
    filtered = shaped(listed_clients(session, filters), tz)
    out: dict[int, float] = {}
    for check in (False, True):
        mine = {by: [r for r in reads if r[5] == check] for by, reads in reads_by.items()}
        if not any(mine.values()):
            continue
        # Both ends of every grouping, even one without reads (its arrays empty, no row):
        # which ends have reads changes from filter to filter, the statement does not.
        ends = tuple((by, descending) for by in mine for descending in (False, True))

        def build(
            ends: tuple[tuple[str | None, bool], ...] = ends, check: bool = check
        ) -> CompoundSelect[int, float]:
            return union_all(*(_read_stmt(by, d, check=check) for by, d in ends))

        params = filtered.params(_FACT_COLUMNS, "f", modes=LISTED_CLIENT_MODES)
        for by, descending in ends:
            params.update(_read_params(by, mine[by], descending))
        stmt = built(("rr.read_values", ends, check), build)
        out |= {int(tag): float(value) for tag, value in session.execute(stmt, params)}
    return out


def percentiles(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    groups: dict[Group, Bins],
    quantiles: Sequence[float],
) -> dict[Group, dict[float, float]]:
    """Exact percentile_cont per group; a group is (grouping column or None, its value)."""
    reads_by: dict[str | None, list[Read]] = {}
    plan: dict[Group, tuple[int, int]] = {}
    for index, ((by, value), bins) in enumerate(groups.items()):
        count = sum(bins.values())
        if count == 0:
            continue
        base = index << 32
        plan[(by, value)] = (base, count)
        reads_by.setdefault(by, []).extend(locate(base, value, bins, positions(count, quantiles)))
    got = read_values(session, filters, tz, reads_by)
    out: dict[Group, dict[float, float]] = {}
    for group, (base, count) in plan.items():
        values = {k - base: v for k, v in got.items() if base < k <= base + count}
        out[group] = {q: interpolate(values, count, q) for q in quantiles}
    return out


def narrowed(
    session: Session,
    filters: TicketFilters,
    by: str,
    groups: dict[Group, Bins],
    quantiles: Sequence[float],
) -> dict[Group, Bins]:
    """`groups`' wide bins (`bins_by(..., wide_bins=True)` by `by`; the group (None, None)
    over all of them) made fine where `quantiles`' rows fall: those wide bins' histogram bins
    (`fine_bins`, one statement), the other wide bins kept whole under the first bin they
    cover (bins are only compared, and none of theirs is listed), so `percentiles` locates
    each row in its histogram bin. A wide bin's fine counts add up to it: the request reads
    both in one snapshot."""
    wanted: dict[Group, set[int]] = {}
    for group, bins in groups.items():
        count = sum(bins.values())
        if count:
            wanted[group] = {r[2] for r in locate(0, None, bins, positions(count, quantiles))}
    every = sorted(set().union(*wanted.values()))
    if not every:
        return groups
    fine = fine_bins(session, filters, by, every)
    out: dict[Group, Bins] = {}
    for group, bins in groups.items():
        inside = wanted.get(group, set())
        mine = merged(fine) if group == (None, None) else fine.get(group[1], {})
        spread = {w * WIDTH: n for w, n in bins.items() if w not in inside}
        for bin_, n in mine.items():
            if bin_ // WIDTH in inside:
                spread[bin_] = n
        if sum(spread.values()) != sum(bins.values()):
            raise RuntimeError(f"the fine bins of {group} do not add up to its wide bins")
        out[group] = spread
    return out


def merged(bins_per_group: dict[str | int | None, Bins]) -> Bins:
    out: Bins = {}
    for bins in bins_per_group.values():
        for bin_, n in bins.items():
            out[bin_] = out.get(bin_, 0) + n
    return out
