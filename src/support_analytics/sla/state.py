"""SLA state per ticket and target, read from `ticket_sla` (migration 0009_sla).

`ticket_sla` holds, per ticket and target (`first_response`, `resolution`), the due time
(NULL: no target), when the clock stopped (`done_at`) and whether it still runs. The state
depends on the instant of reading, so it is derived here, never stored:

- met: stopped at or before its due time (or stopped with no target);
- breached: stopped after its due time, or still running past it;
- pending: everything else (running and not due yet, or no target yet);
- at risk: pending, running and due within the window after the instant of reading.

Compliance = met / (met + breached); pending tickets are left out of it.

The counts come from `analytics_sla_cube` (migration 0019) when it answers the filter
(`cube_mask`: the responsiveness rollups' zone and dimensions, or, from migration 0023, client
and plan filters with no assignee or type condition, read from the rows grouped by client):
met, late (stopped after the due time) and running-with-a-due-time per slice, kept by
triggers on `ticket_sla`.
Which running rows are breached depends on the instant, so the running rows due at or after
it (pending; few, along `idx_ticket_sla_overdue`) are counted from `ticket_sla` and
subtracted. A client or plan filter (or the breakdown by client) with an assignee or type
condition reads the client pairs of migration 0028 (`counts_from_pairs`). Otherwise the
filtered `ticket_sla` rows are counted directly (`*_from_rows`; the bench's plain-SQL
baseline gives them `sla.plain`, the same rows computed from the raw tables, as `source`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    Row,
    String,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import KeyedColumnElement
from sqlalchemy.sql.selectable import FromClause, Select

from support_analytics.analytics import response_rollups as rr
from support_analytics.analytics.definitions import hours_between
from support_analytics.analytics.tables import ticket_types, tickets
from support_analytics.db import tables
from support_analytics.db.statements import built
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import DateFilter
from support_analytics.filters.shaped import INSTANT, shaped, shaped_clauses
from support_analytics.filters.sql import (
    TicketColumns,
    cover_span,
    dimension_clauses,
    ticket_clauses,
)
from support_analytics.sla import recompute
from support_analytics.sla.schemas import SlaBlock, SlaBreachesPage, SlaBreachRow, SlaTarget

Target = Literal["first_response", "resolution"]
State = Literal["met", "breached", "pending"]
BreachState = Literal["breached", "at_risk"]
TARGETS: tuple[Target, ...] = ("first_response", "resolution")
DEFAULT_WINDOW = timedelta(hours=1)
DEFAULT_PAGE_SIZE = 20

ticket_sla = tables.ticket_sla

Source = FromClause[ReadOnlyColumnCollection[str, KeyedColumnElement[object]]]
"""Where SLA rows are read: `ticket_sla`, or a selectable with its columns (`sla.plain`)."""


def sla_columns(source: Source) -> TicketColumns:
    """The filter bar's dimensions in `source`: `ticket_sla`, or a selectable with its
    columns (`sla.plain`). Typed as `ticket_sla`'s columns: a selectable's collection only
    says its columns are expressions, and both sources have these with these types."""
    c = source.c
    return TicketColumns(
        created_at=cast("KeyedColumnElement[datetime]", c.created_at),
        assigned_to=cast("KeyedColumnElement[int | None]", c.assigned_to),
        ticket_type_id=cast("KeyedColumnElement[int]", c.ticket_type_id),
        priority=cast("KeyedColumnElement[str | None]", c.priority),
        client_id=cast("KeyedColumnElement[int | None]", c.client_id),
    )


SLA_COLUMNS = sla_columns(ticket_sla)


cube = tables.analytics_sla_cube
CUBE_COLUMNS = TicketColumns(
    created_at=cube.c.bucket,
    assigned_to=cube.c.assigned_to,
    ticket_type_id=cube.c.ticket_type_id,
    priority=cube.c.priority,
    client_id=cube.c.client_id,
)
SLA_CUBE = rr.Rollup(cube.c.gmask, cube.c.grain, cube.c.bucket, CUBE_COLUMNS)
# The cube's groupings (migration 0023) are the responsiveness rollups' (0026): 1-3 by
# assignee and/or type, CLIENT_MASK by client alone, so `rr.slice_where` reads both.
CLIENT_MASK = rr.CLIENT_MASK
Counts = tuple[int, int, int]
"""met, breached, total"""


def met_clause(source: Source = ticket_sla) -> ColumnElement[bool]:
    c = source.c
    return and_(c.done_at.is_not(None), or_(c.due_at.is_(None), c.done_at <= c.due_at))


def breached_clause(as_of: datetime, source: Source = ticket_sla) -> ColumnElement[bool]:
    c = source.c
    return or_(
        and_(c.done_at.is_not(None), c.done_at > c.due_at),
        and_(c.done_at.is_(None), c.running.is_(True), c.due_at < as_of),
    )


def not_yet_clause(
    as_of: datetime | ColumnElement[datetime], source: Source = ticket_sla
) -> ColumnElement[bool]:
    """Running clocks due at or after `as_of`: pending, not breached."""
    c = source.c
    return and_(
        c.done_at.is_(None),
        # `running`, not `running IS TRUE` (the same for a NOT NULL column): the partial
        # indexes on running clocks by due time are declared `WHERE running ...`, and the
        # planner matches only that form.
        c.running,
        c.due_at >= as_of,
    )


def at_risk_clause(
    as_of: datetime, window: timedelta, source: Source = ticket_sla
) -> ColumnElement[bool]:
    return and_(not_yet_clause(as_of, source), source.c.due_at <= as_of + window)


def state(as_of: datetime) -> ColumnElement[str]:
    """'met', 'breached' or 'pending' at `as_of`, one SQL expression."""
    return case(
        (met_clause(), literal("met")),
        (breached_clause(as_of), literal("breached")),
        else_=literal("pending"),
    )


def pct(met: int, breached: int) -> float | None:
    return None if met + breached == 0 else 100.0 * met / (met + breached)


def targets(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    as_of: datetime,
    source: Source = ticket_sla,
) -> dict[Target, SlaTarget]:
    """met / breached / pending and compliance per target over the `ticket_sla` rows (or
    `source`'s) `where` admits (and the caller's row-level security)."""
    c = source.c
    stmt = (
        select(
            c.target,
            func.count().filter(met_clause(source)),
            func.count().filter(breached_clause(as_of, source)),
            func.count(),
        )
        .select_from(source)
        .where(*where)
        .group_by(c.target)
    )
    counts = {str(row[0]): (int(row[1]), int(row[2]), int(row[3])) for row in session.execute(stmt)}
    out: dict[Target, SlaTarget] = {}
    for target in TARGETS:
        met, breached, total = counts.get(target, (0, 0, 0))
        out[target] = SlaTarget(
            met=met,
            breached=breached,
            pending=total - met - breached,
            compliance_pct=pct(met, breached),
        )
    return out


def cube_mask(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    by_member: bool = False,
    by_client: bool = False,
) -> int | None:
    """The cube grouping (`gmask`) whose rows answer `filters`, grouped by assignee or by
    client when asked, or None when only the `ticket_sla` rows can: the cube is bucketed in
    the responsiveness rollups' zone; it groups by assignee and/or type, or by client alone
    (a client with an assignee or a type would be about a row per ticket)."""
    if by_client and (
        by_member or filters.team_member is not None or filters.ticket_type is not None
    ):
        return None
    if not rr.usable(session, filters, tz, by_member=by_member):
        return None
    return CLIENT_MASK if by_client else rr.mask(filters, by_member=by_member)


def _slice(filters: TicketFilters, gmask: int) -> list[ColumnElement[bool]]:
    """The cube rows of grouping `gmask` under `filters` (their date, priority, assignee,
    type, client and plan conditions)."""
    k = cube.c
    where = rr.slice_where(CUBE_COLUMNS, k.gmask, k.grain, k.bucket, filters)
    where[0] = k.gmask == gmask
    return where


def _signed_slices(
    filters: TicketFilters, gmask: int, *, by_member: bool = False
) -> list[tuple[list[ColumnElement[bool]], int]]:
    """The rows of `_slice(filters, gmask)` as slices to sum with their signs: a negative
    assignee or type filter (`is not`, `none of`) as every row less the rows of the values it
    lists (`TicketFilters.complemented`, as the responsiveness cube reads), not the rows of
    every value it admits. "Not member 3, not type 13" over twenty months was 19,752 rows
    grouped by assignee and type (10.6 ms at 1M); as four slices it is 414. `by_member`
    (rows grouped by assignee) keeps the assignee filter as it is. The client groupings
    carry no assignee or type, so their filters have no such condition to complement."""
    if gmask & CLIENT_MASK:
        return [(_slice(filters, gmask), 1)]
    return [
        (_slice(term, rr.mask(term, by_member=by_member)), sign)
        for term, sign in filters.complemented(member=not by_member)
    ]


def counts_from_cube(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    as_of: datetime,
    *,
    gmask: int,
    by_member: bool = False,
    by_client: bool = False,
    by_period: bool = False,
    key: ColumnElement[object] | None = None,
    running_key: ColumnElement[object] | None = None,
    when: ColumnElement[bool] | None = None,
) -> dict[tuple[object, str], Counts]:
    """(key value, target) -> (met, breached, total) from the cube, for callers that found
    its grouping `gmask` (`cube_mask`, grouped by assignee if `by_member`, by client if
    `by_client`, `key` a period of the bucket if `by_period`): the cube rows of the filter,
    grouped by `key` (a cube column or expression; None: no grouping), less the running rows
    due at or after `as_of`, grouped by `running_key` (the same value over `ticket_sla`). One
    statement, so every part reads the same snapshot. The rows are read as the
    responsiveness cube's (`rr.signed_plan` and `rr.shaped_rows`: negative assignee and type
    filters as their complements, a long date range as every row less the days outside it,
    each slice's runs one by one), or, grouped by client or by period (whose buckets are the
    keys: not the all-time rows less others) or with `when` (which replaces the date
    condition), as `_signed_slices`."""
    k = cube.c

    def row(sign: ColumnElement[int] | int) -> Select[object, str, int, int, int]:
        return select(
            (null() if key is None else key).label("key"),
            k.target.label("target"),
            _signed(k.n, sign).label("n"),
            _signed(k.n_met, sign).label("met"),
            _signed(k.n_late + k.n_running_due, sign).label("breached"),
        )

    # A grouping column (priority, assignee) is the same object on every call, so it can name
    # a kept statement; a period is an expression built per call, and its buckets are keys.
    columns = all(x is None or isinstance(x, Column) for x in (key, running_key))
    if when is None and not by_client and not by_period and columns:
        # The SLA block's statement and the breakdowns by priority and by team member, one
        # per shape of slices and grouping column (`db.statements`): every value and
        # operator a parameter.
        slices = rr.signed_plan(session, filters, by_member=by_member)

        def build() -> Select[object, str, int, int, int]:
            parts = rr.shaped_rows(SLA_CUBE, slices, row, prefix="r")
            where = shaped_clauses(SLA_COLUMNS, "f")
            return _summed(
                [*parts, _not_yet(where, bindparam("as_of", type_=INSTANT), running_key)]
            )

        stmt = built(("sla.counts_from_cube", slices.shape, key, running_key), build)
        params = (
            slices.params(SLA_CUBE.columns, "r")
            | shaped(filters, tz).params(SLA_COLUMNS, "f")
            | {"as_of": as_of}
        )
        return _counts(session.execute(stmt, params))
    parts = []
    for where, sign in _signed_slices(filters, gmask, by_member=by_member):
        if when is not None:
            where[1] = when
        parts.append(row(sign).where(*where))
    not_yet = _not_yet(ticket_clauses(filters, tz, SLA_COLUMNS), as_of, running_key)
    return _counts(session.execute(_summed([*parts, not_yet])))


def _signed(count: ColumnElement[int], sign: ColumnElement[int] | int) -> ColumnElement[int]:
    # A slice added as it is needs no product per row.
    return count if isinstance(sign, int) and sign == 1 else count * sign


def _not_yet(
    where: Sequence[ColumnElement[bool]],
    as_of: datetime | ColumnElement[datetime],
    running_key: ColumnElement[object] | None = None,
) -> Select[object, str, int, int, int]:
    """The running `ticket_sla` rows (`where`) due at or after `as_of`: pending, not
    breached, so -1 breached each (key, target, n, met, breached), grouped by `running_key`."""
    return select(
        (null() if running_key is None else running_key).label("key"),
        ticket_sla.c.target,
        literal_column("0"),
        literal_column("0"),
        literal_column("-1"),
    ).where(not_yet_clause(as_of), *where)


def _summed(
    parts: Sequence[Select[object, str, int, int, int]],
) -> Select[object, str, int, int, int]:
    """The sum of `parts` (key, target, n, met, late + running with a due time, the last part
    the running rows not due yet, `_not_yet`) per key and target: one statement, so every
    part reads the same snapshot."""
    both = union_all(*parts).subquery("both")
    return select(
        both.c.key,
        both.c.target,
        func.sum(both.c.met),
        func.sum(both.c.breached),
        func.sum(both.c.n),
    ).group_by(both.c.key, both.c.target)


def _counts(
    rows: Iterable[Row[object, str, int, int, int]],
) -> dict[tuple[object, str], Counts]:
    return {
        (value, str(target)): (int(met), int(breached), int(n))
        for value, target, met, breached, n in rows
    }


# Client x assignee (gmask 5) and client x type (6), migration 0028: months and all time
# only, as days would be about a row per ticket at 1M.
PAIR_MASKS = {"team_member": CLIENT_MASK | 1, "ticket_type": CLIENT_MASK | 2}


def pairs_usable(session: Session, filters: TicketFilters, tz: ZoneInfo) -> bool:
    """Whether `counts_from_pairs` answers `filters`: the cube's zone and dimensions, an
    assignee or type condition allowed beside a client or plan filter."""
    return rr.usable(session, replace(filters, team_member=None, ticket_type=None), tz)


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _whole_months(flt: DateFilter) -> tuple[date | None, date | None]:
    """[first, stop): the first days of the whole months inside `flt` (None: open)."""
    lo, hi = flt.start, flt.end
    first = None if lo is None else (lo if lo.day == 1 else _month_after(lo))
    if hi is None:
        return first, None
    after = hi + timedelta(days=1)
    return first, (after if after.day == 1 else hi.replace(day=1))


def _pair_buckets(flt: DateFilter | None) -> tuple[ColumnElement[bool] | None, list[DateFilter]]:
    """The pair rows covering whole months and week segments inside `flt` (all time without a
    filter; None: not one whole week segment), and the filter's other days (at most six at
    either end of a partial month), which the pair rows do not have."""
    k = cube.c
    if flt is None:
        return k.grain == "a", []
    lo, hi = flt.start, flt.end
    first, stop = _whole_months(flt)
    parts: list[ColumnElement[bool]] = []
    spans: list[tuple[date, date]] = []
    if first is not None and stop is not None and first >= stop:
        assert lo is not None
        assert hi is not None
        spans.append((lo, hi))
    else:
        months: list[ColumnElement[bool]] = [k.grain == "m"]
        if first is not None:
            months.append(k.bucket >= first)
        if stop is not None:
            months.append(k.bucket < stop)
        parts.append(and_(*months))
        if lo is not None and first is not None and lo < first:
            spans.append((lo, first - timedelta(days=1)))
        if hi is not None and stop is not None and stop <= hi:
            spans.append((stop, hi))
    days: list[DateFilter] = []
    for span in spans:
        for grain, start, end in cover_span(*span):
            if grain == "w":
                parts.append(and_(k.grain == "w", k.bucket >= start, k.bucket <= end))
            else:
                days.append(DateFilter.between(start, end))
    if not parts:
        return None, days
    return (or_(*parts) if len(parts) > 1 else parts[0]), days


def counts_from_pairs(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    as_of: datetime,
    *,
    key: Literal["client_id", "priority"] | None = None,
) -> dict[tuple[object, str], Counts]:
    """`counts_from_cube` for a filter with an assignee or type condition beside a client or
    plan filter, or grouped by client (`pairs_usable`). Negative assignee and type filters
    are every row less the listed values' rows (`TicketFilters.complemented`); a term without an
    assignee or type condition reads the rows grouped by client, a term with one of them
    the rows grouped by client and that dimension for its whole months and the `ticket_sla`
    rows of its other days (along the (assignee | type, creation) indexes), a term with both
    the `ticket_sla` rows."""
    k, c = cube.c, ticket_sla.c
    cube_key: ColumnElement[object] | None = None if key is None else k[key]
    row_key: ColumnElement[object] | None = None if key is None else c[key]
    parts: list[Select[object, str, int, int, int]] = []
    for term, sign in filters.complemented():
        member, kind = term.team_member is not None, term.ticket_type is not None
        edges: list[DateFilter | None] = []
        where: list[ColumnElement[bool]] | None = None
        if member and kind:
            edges = [term.date]
        elif member or kind:
            buckets, days = _pair_buckets(term.date)
            edges = list(days)
            if buckets is not None:
                gmask = PAIR_MASKS["team_member" if member else "ticket_type"]
                where = [k.gmask == gmask, buckets, *dimension_clauses(term, CUBE_COLUMNS)]
        else:
            where = _slice(term, CLIENT_MASK)
        if where is not None:
            parts.append(
                select(
                    (null() if cube_key is None else cube_key).label("key"),
                    k.target.label("target"),
                    (k.n * sign).label("n"),
                    (k.n_met * sign).label("met"),
                    ((k.n_late + k.n_running_due) * sign).label("breached"),
                ).where(*where)
            )
        for edge in edges:
            late_or_due = or_(
                c.done_at > c.due_at,
                and_(c.done_at.is_(None), c.running, c.due_at.is_not(None)),
            )
            parts.append(
                select(
                    (null() if row_key is None else row_key).label("key"),
                    c.target.label("target"),
                    (func.count() * sign).label("n"),
                    (func.count().filter(met_clause()) * sign).label("met"),
                    (func.count().filter(late_or_due) * sign).label("breached"),
                )
                .where(*ticket_clauses(replace(term, date=edge), tz, SLA_COLUMNS))
                .group_by(c.target, *([] if row_key is None else [row_key]))
            )
    not_yet = _not_yet(ticket_clauses(filters, tz, SLA_COLUMNS), as_of, row_key)
    return _counts(session.execute(_summed([*parts, not_yet])))


def sla_block(
    session: Session, filters: TicketFilters, tz: ZoneInfo, *, as_of: datetime | None = None
) -> SlaBlock:
    """met / breached / pending and compliance per target, for the tickets the filter admits
    (creation day in the reporting zone)."""
    counts = _rolled_up(session, filters, tz, as_of or datetime.now(UTC))
    if counts is None:
        return sla_block_from_rows(session, filters, tz, as_of=as_of)
    found = {target: _target(*counts.get((None, target), (0, 0, 0))) for target in TARGETS}
    return SlaBlock(
        first_response=found["first_response"],
        resolution=found["resolution"],
        recomputing=recompute.unfinished(session),
    )


def _rolled_up(
    session: Session, filters: TicketFilters, tz: ZoneInfo, as_of: datetime
) -> dict[tuple[object, str], Counts] | None:
    """Per target (key None), from the cube's grouping that answers `filters`, or from the
    client pairs, or None when only the `ticket_sla` rows can."""
    gmask = cube_mask(session, filters, tz)
    if gmask is not None:
        return counts_from_cube(session, filters, tz, as_of, gmask=gmask)
    if pairs_usable(session, filters, tz):
        return counts_from_pairs(session, filters, tz, as_of)
    return None


def _target(met: int, breached: int, total: int) -> SlaTarget:
    return SlaTarget(
        met=met,
        breached=breached,
        pending=total - met - breached,
        compliance_pct=pct(met, breached),
    )


def sla_block_from_rows(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    as_of: datetime | None = None,
    source: Source = ticket_sla,
) -> SlaBlock:
    """`sla_block` over the filtered `ticket_sla` rows (plain SQL, every row read), or over
    `source`'s (`sla.plain`: the same rows computed from the raw tables)."""
    where = ticket_clauses(filters, tz, sla_columns(source))
    found = targets(session, where, as_of or datetime.now(UTC), source)
    return SlaBlock(
        first_response=found["first_response"],
        resolution=found["resolution"],
        recomputing=recompute.unfinished(session),
    )


def breaches_from_rows(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    which: BreachState,
    target: Target,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    window: timedelta = DEFAULT_WINDOW,
    as_of: datetime | None = None,
    source: Source = ticket_sla,
) -> SlaBreachesPage:
    """Breached or at-risk tickets for one target, worst first: most hours past the due time
    (at risk: least time left, `over_by_hours` negative), then ticket id. From the
    `ticket_sla` rows, or `source`'s (`sla.plain`)."""
    now = as_of or datetime.now(UTC)
    c = source.c
    chosen = (
        breached_clause(now, source) if which == "breached" else at_risk_clause(now, window, source)
    )
    over = hours_between(c.due_at, func.coalesce(c.done_at, literal(now)))
    where = [c.target == target, chosen, *ticket_clauses(filters, tz, sla_columns(source))]
    stmt = (
        select(
            c.ticket_id,
            tickets.c.title,
            c.priority,
            c.client_id,
            c.assigned_to,
            c.due_at,
            over.label("over"),
        )
        .select_from(source.join(tickets, tickets.c.id == c.ticket_id))
        .where(*where)
        .order_by(over.desc(), c.ticket_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    label: str = "breached" if which == "breached" else "at_risk"
    rows = [
        SlaBreachRow(
            ticket_id=int(row[0]),
            title=row[1],
            priority=row[2],
            client_id=row[3],
            assigned_to=row[4],
            target=target,
            due_at=row[5].astimezone(tz),
            state=label,
            over_by_hours=float(row[6]),
        )
        for row in session.execute(stmt)
    ]
    total = session.execute(select(func.count()).select_from(source).where(*where)).scalar_one()
    return SlaBreachesPage(
        rows=rows,
        page=page,
        page_size=page_size,
        total=int(total),
        recomputing=recompute.unfinished(session),
    )


def breaches(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    which: BreachState,
    target: Target,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    window: timedelta = DEFAULT_WINDOW,
    as_of: datetime | None = None,
) -> SlaBreachesPage:
    """Breached or at-risk tickets for one target, worst first, as `breaches_from_rows`. The
    breached rows are two streams, each read in order along its index and cut at the page's
    end: stopped late (by `done_at - due_at` descending) and running past the due time (by
    due time); the page is the top of their merge. The total comes from the cube."""
    if which == "at_risk":
        return breaches_from_rows(
            session,
            filters,
            tz,
            which=which,
            target=target,
            page=page,
            page_size=page_size,
            window=window,
            as_of=as_of,
        )
    now = as_of or datetime.now(UTC)
    end = page * page_size
    gmask = cube_mask(session, filters, tz)
    admitted = None if gmask is None else _admitted(session, filters, tz, target=target, as_of=now)
    walks: tuple[Read, Read] = (
        ("sort", "sort") if admitted is None else _walks(session, filters, target, end, admitted)
    )
    walk_late, walk_running = walks
    floor = _due_floor(filters, tz) if walk_running == "walk" else None
    stmt = built(
        ("sla.breached", walk_late, walk_running, floor is not None),
        lambda: _breached_stmt(walk_late, walk_running, floored=floor is not None),
    )
    params = shaped(filters, tz).params(SLA_COLUMNS, "f") | {
        "target": target,
        "as_of": now,
        "end": end,
        "page_size": page_size,
        "skip": (page - 1) * page_size,
        "floor": floor,
    }
    rows = [
        SlaBreachRow(
            ticket_id=int(row[0]),
            title=row[1],
            priority=row[2],
            client_id=row[3],
            assigned_to=row[4],
            target=target,
            due_at=row[5].astimezone(tz),
            state="breached",
            over_by_hours=float(row[6]),
        )
        for row in session.execute(stmt, params)
    ]
    counts = None if admitted is not None else _rolled_up(session, filters, tz, now)
    if admitted is not None:
        total = admitted.breached
    elif counts is not None:
        total = counts.get((None, target), (0, 0, 0))[1]
    else:
        c = ticket_sla.c
        where = [
            c.target == target,
            breached_clause(now),
            *ticket_clauses(filters, tz, SLA_COLUMNS),
        ]
        total = session.execute(
            select(func.count()).select_from(ticket_sla).where(*where)
        ).scalar_one()
    return SlaBreachesPage(
        rows=rows,
        page=page,
        page_size=page_size,
        total=int(total),
        recomputing=recompute.unfinished(session),
    )


# Walking a stream's index in order reads about (rows of the stream) / (rows the filter
# admits) entries per row wanted; up to this many it walks whatever sorting would read.
WALK_LIMIT = 20_000


Read = Literal["walk", "sort", "none"]


def _breached_stmt(
    walk_late: Read, walk_running: Read, *, floored: bool
) -> Select[int, str, str | None, int | None, int | None, datetime, float]:
    """`breaches`' page for its reads of the two streams (`_walks`), `floored` with a bound on
    the running rows' due time (`_due_floor`): the filter, target, instant and page are
    parameters (`db.statements`)."""
    c = ticket_sla.c
    dims = shaped_clauses(SLA_COLUMNS, "f")
    target = bindparam("target", type_=String)
    now = bindparam("as_of", type_=INSTANT)
    end = bindparam("end", type_=Integer)
    shown = (c.ticket_id, c.priority, c.client_id, c.assigned_to, c.due_at)
    late_over = hours_between(c.due_at, c.done_at)
    late = (
        select(*shown, late_over.label("over"))
        .where(
            c.target == target,
            c.done_at > c.due_at,
            true() if walk_late != "none" else false(),
            *dims,
        )
        .order_by((c.done_at - c.due_at).desc() if walk_late == "walk" else late_over.desc())
        .order_by(c.ticket_id)
        .limit(end)
    )
    running_over = hours_between(c.due_at, cast("ColumnElement[object]", now))
    running = (
        select(*shown, running_over.label("over"))
        .where(
            c.target == target,
            # Sorting: a form the partial indexes on running clocks do not match, so the
            # planner filters by the other conditions (say the creation day) instead.
            c.running if walk_running == "walk" else func.coalesce(c.running, false()),
            c.done_at.is_(None),
            c.due_at < now,
            _floor_clause() if floored else true(),
            true() if walk_running != "none" else false(),
            *dims,
        )
        .order_by(c.due_at if walk_running == "walk" else running_over.desc())
        .order_by(c.ticket_id)
        .limit(end)
    )
    both = union_all(late, running).subquery("breached")
    b = both.c
    return (
        select(
            b.ticket_id, tickets.c.title, b.priority, b.client_id, b.assigned_to, b.due_at, b.over
        )
        .select_from(both.join(tickets, tickets.c.id == b.ticket_id))
        .order_by(b.over.desc(), b.ticket_id)
        .limit(bindparam("page_size", type_=Integer))
        .offset(bindparam("skip", type_=Integer))
    )


def _due_floor(filters: TicketFilters, tz: ZoneInfo) -> datetime | None:
    """A bound on the due time of the running rows a date filter admits (None: no first
    day): a ticket created on or after its first day is due on or after that day (a due
    time is never before creation while no ticket type's hours are negative: policy hours
    are positive by constraint, and a type's hours are the resolution target where the
    policy gives none). A day early, for a zone whose midnight is skipped. The walk along
    `idx_ticket_sla_overdue` starts there instead of at the oldest due time (most running
    rows of a late start are skipped)."""
    start = filters.date.start if filters.date is not None else None
    if start is None:
        return None
    return datetime.combine(start - timedelta(days=1), time(), tzinfo=tz)


def _floor_clause() -> ColumnElement[bool]:
    """The running rows due at or after `_due_floor` (the parameter `floor`), unless a ticket
    type's hours are negative."""
    sane = select(func.coalesce(func.min(ticket_types.c.avg_resolution_hours), 0) >= 0)
    bound = case(
        (sane.scalar_subquery(), bindparam("floor", type_=INSTANT)),
        else_=literal_column("'-infinity'::timestamptz"),
    )
    return ticket_sla.c.due_at >= bound


@dataclass(frozen=True)
class Admitted:
    """One target's cube counts under a filter: late, running with a due time, rows, and
    the breached (late, and running less the running rows not due yet)."""

    late: int
    running: int
    n: int
    breached: int


def _admitted(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    target: Target,
    as_of: datetime,
) -> Admitted:
    """`Admitted` from the cube's rows of the filter (`rr.signed_plan`, for callers that found
    the cube answers it: `cube_mask`) less the running rows due at or after `as_of`: one
    statement (one snapshot), which both chooses the breached list's reads and gives its
    total."""
    slices = rr.signed_plan(session, filters)
    stmt = built(("sla.admitted", slices.shape), lambda: _admitted_stmt(slices))
    params = (
        slices.params(SLA_CUBE.columns, "r")
        | shaped(filters, tz).params(SLA_COLUMNS, "f")
        | {"target": target, "as_of": as_of}
    )
    late, running, n, pending = (int(x) for x in session.execute(stmt, params).one())
    return Admitted(late=late, running=running, n=n, breached=late + running - pending)


def _admitted_stmt(slices: rr.Slices) -> Select[int, int, int, int]:
    """`_admitted`'s statement for slices of the shape of `slices`: the values parameters
    (`db.statements`)."""
    k, c = cube.c, ticket_sla.c
    target = bindparam("target", type_=String)

    def row(sign: ColumnElement[int]) -> Select[int, int, int, int]:
        return select(
            _signed(k.n_late, sign).label("late"),
            _signed(k.n_running_due, sign).label("running"),
            _signed(k.n, sign).label("n"),
            literal(0, Integer).label("not_yet"),
        )

    rows = rr.shaped_rows(SLA_CUBE, slices, row, prefix="r", extra=[k.target == target])
    not_yet = select(*(literal(x, Integer) for x in (0, 0, 0, 1))).where(
        c.target == target,
        not_yet_clause(bindparam("as_of", type_=INSTANT)),
        *shaped_clauses(SLA_COLUMNS, "f"),
    )
    both = union_all(*rows, not_yet).subquery("both").c
    sums = (func.coalesce(func.sum(x), 0) for x in (both.late, both.running, both.n, both.not_yet))
    return select(*sums)


def _walks(
    session: Session, filters: TicketFilters, target: Target, end: int, admitted: Admitted
) -> tuple[Read, Read]:
    """How the late and the running stream are read: along their indexes (`walk`), filtered
    and sorted (`sort`), or not at all (`none`: the cube says the filter admits none), from the
    cube's counts. `walk` and `sort` give the same rows in the same order (the index order is
    the order of `over_by_hours`, ties by ticket id). A walk reads about (entries walked) *
    (rows wanted) / (rows admitted) index entries: every late or running row, or for the
    running rows under a date filter with a first day those due since then (`_due_floor`).
    Sorting reads the rows the date filter admits (along the creation index), or every row
    without one; a walk is taken up to `WALK_LIMIT` entries, or while it reads fewer."""
    k = cube.c
    sums = (
        func.coalesce(func.sum(k.n_late), 0),
        func.coalesce(func.sum(k.n_running_due), 0),
        func.coalesce(func.sum(k.n), 0),
    )

    def counts(flt: TicketFilters, gmask: int) -> tuple[int, int, int]:
        where = _slice(flt, gmask)
        late, running, n = session.execute(select(*sums).where(k.target == target, *where)).one()
        return int(late), int(running), int(n)

    every = counts(TicketFilters(), 0)
    walked = list(every[:2])
    sorted_rows = every[2]
    if filters.date is not None:
        sorted_rows = counts(TicketFilters(date=filters.date), 0)[2]
        if filters.date.start is not None:
            since = DateFilter.on_or_after(filters.date.start - timedelta(days=1))
            walked[1] = counts(TicketFilters(date=since), 0)[1]

    def walk(i: int) -> Read:
        rows = (admitted.late, admitted.running)[i]
        if rows == 0:
            return "none"
        cost = walked[i] * end
        return "walk" if cost <= max(WALK_LIMIT, sorted_rows) * rows else "sort"

    return walk(0), walk(1)
