"""Resolution time statistics per priority (exact continuous percentiles) and the overdue count."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect, Select

from support_analytics.analytics import rollups
from support_analytics.analytics.definitions import OPEN_STATUSES, hours_between
from support_analytics.analytics.distribution import admitted_priorities
from support_analytics.analytics.schemas import PriorityResolution, ResolutionTimes
from support_analytics.analytics.tables import ticket_types, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import DateFilter, DateOp
from support_analytics.filters.sql import day_start, ticket_clauses

QUANTILES = (0.25, 0.5, 0.75, 0.9)


def actual_hours(as_of: datetime) -> ColumnElement[float]:
    """Open tickets: hours since creation so far; others: hours until resolved (NULL if never)."""
    return case(
        (
            tickets.c.status.in_(OPEN_STATUSES),
            hours_between(tickets.c.created_at, literal(as_of)),
        ),
        else_=hours_between(tickets.c.created_at, tickets.c.resolved_at),
    )


def overdue_clause(as_of: datetime) -> ColumnElement[bool]:
    """Resolved later than the type's `avg_resolution_hours`, or open and already older."""
    expected = cast(ticket_types.c.avg_resolution_hours, Float)
    return and_(ticket_types.c.avg_resolution_hours.is_not(None), actual_hours(as_of) > expected)


def _f(value: object) -> float | None:
    return None if value is None else float(str(value))


def stats_from_tickets(
    session: Session, filters: TicketFilters, tz: ZoneInfo
) -> list[PriorityResolution]:
    """Plain SQL over the raw tables: percentile_cont per priority."""
    hours = hours_between(tickets.c.created_at, tickets.c.resolved_at)
    stmt = (
        select(
            tickets.c.priority,
            func.count(),
            func.min(hours),
            *(func.percentile_cont(q).within_group(hours) for q in QUANTILES),
            func.max(hours),
            func.avg(hours),
        )
        .where(
            tickets.c.resolved_at.is_not(None),
            tickets.c.created_at.is_not(None),
            tickets.c.priority.is_not(None),
            *ticket_clauses(filters, tz),
        )
        .group_by(tickets.c.priority)
    )
    found: dict[str, Sequence[object]] = {
        str(row[0]): tuple(row) for row in session.execute(stmt).all()
    }
    return [stats_row(p, found.get(p)) for p in admitted_priorities(filters)]


def stats_row(priority: str, values: Sequence[object] | None) -> PriorityResolution:
    if values is None:
        return PriorityResolution(
            priority=priority,
            count=0,
            min_hours=None,
            q1_hours=None,
            median_hours=None,
            q3_hours=None,
            p90_hours=None,
            max_hours=None,
            avg_hours=None,
        )
    return PriorityResolution(
        priority=priority,
        count=int(str(values[1])),
        min_hours=_f(values[2]),
        q1_hours=_f(values[3]),
        median_hours=_f(values[4]),
        q3_hours=_f(values[5]),
        p90_hours=_f(values[6]),
        max_hours=_f(values[7]),
        avg_hours=_f(values[8]),
    )


def overdue_count(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    as_of: datetime,
    *,
    use_rollups: bool | None = None,
) -> int:
    if rollups.use_rollups(session, tz, use_rollups):
        return overdue_count_from_rollups(session, filters, tz, as_of)
    return overdue_count_from_tickets(session, filters, tz, as_of)


def overdue_count_from_tickets(
    session: Session, filters: TicketFilters, tz: ZoneInfo, as_of: datetime
) -> int:
    stmt = (
        select(func.count())
        .select_from(tickets.join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id))
        .where(overdue_clause(as_of), *ticket_clauses(filters, tz))
    )
    return int(session.execute(stmt).scalar_one())


def _positions(count: int) -> list[int]:
    """1-based row numbers percentile_cont reads for every quantile, plus min and max."""
    wanted = {1, count}
    for q in QUANTILES:
        position = q * (count - 1)
        wanted.update((math.floor(position) + 1, math.ceil(position) + 1))
    return sorted(wanted)


def _interpolate(values: dict[int, float], count: int, q: float) -> float:
    """percentile_cont's definition, from the rows at the two positions around q."""
    position = q * (count - 1)
    low, high = math.floor(position), math.ceil(position)
    first, second = values[low + 1], values[high + 1]
    return first + (position - low) * (second - first)


def stats_from_rollups(session: Session, filters: TicketFilters) -> list[PriorityResolution]:
    """Counts and sums from the cube; the order statistics by reading only the rows at the
    positions percentile_cont interpolates between, numbered along the (priority, hours)
    index, so nothing is sorted."""
    c = rollups.cube.c
    sums = (
        select(c.priority, func.sum(c.n_resolved), func.sum(c.res_hours))
        .where(*rollups.cube_where(filters, basis="c", grouped=("priority",)))
        .group_by(c.priority)
    )
    totals = {
        str(row[0]): (int(row[1]), float(row[2]))
        for row in session.execute(sums).all()
        if row[0] is not None and int(row[1])  # not in SQL: see `rollups.cube_where`
    }
    if not totals:
        return [stats_row(p, None) for p in admitted_priorities(filters)]
    wanted = {p: _positions(n) for p, (n, _) in totals.items()}
    counts = _bin_counts(session, filters, list(wanted))
    if counts is None:
        values = _values_by_numbering(session, filters, wanted)
    else:
        values = _values_in_bins(session, filters, wanted, counts)
    return _stats(filters, totals, values)


BinCounts = dict[str, dict[int, int]]
"""Filtered resolution rows per priority and histogram bin."""


def _collect(
    session: Session, rows: Select[str | None, int, int], priorities: list[str]
) -> BinCounts:
    """(priority, bin, n) rows as BinCounts; priorities not asked for are the priority filter
    (the histogram's bins are read without one)."""
    counts: BinCounts = {p: {} for p in priorities}
    for priority, bin_, n in session.execute(rows).all():
        if priority in counts and int(n):
            counts[str(priority)][int(bin_)] = int(n)
    return counts


def _histogram_counts(
    session: Session, where: list[ColumnElement[bool]], priorities: list[str]
) -> BinCounts:
    h = rollups.hours_hist.c
    bins = select(h.priority, h.bin, func.sum(h.n)).where(*where).group_by(h.priority, h.bin)
    return _collect(session, bins, priorities)


def _raw_counts(session: Session, filters: TicketFilters, priorities: list[str]) -> BinCounts:
    r = rollups.resolution.c
    rows = (
        select(r.priority, r.bin, func.count())
        .where(r.priority.in_(priorities), *rollups.resolution_where(filters))
        .group_by(r.priority, r.bin)
    )
    return _collect(session, rows, priorities)


def _combine(*terms: tuple[int, BinCounts]) -> BinCounts:
    out: BinCounts = {}
    for sign, counts in terms:
        for priority, bins in counts.items():
            mine = out.setdefault(priority, {})
            for bin_, n in bins.items():
                mine[bin_] = mine.get(bin_, 0) + sign * n
    return out


def _bin_counts(
    session: Session, filters: TicketFilters, priorities: list[str]
) -> BinCounts | None:
    """From the histogram when it has a slice for the filters. With assignee and type both
    filtered it has none, but a negative filter's complement is a short positive list, so the
    signed terms of `TicketFilters.complemented` read the histogram where a term lost one of
    the two, and the resolution rows of few listed values where it kept both. Two positive
    lists: None, and the caller numbers their few rows directly. (Numbering 6M rows for
    member is_not:3 & type none_of:13 took 2.4-4.3 s at 10M tickets.)"""
    where = rollups.hist_where(filters, priority=False)
    if where is not None:
        return _histogram_counts(session, where, priorities)
    member, kind = filters.team_member, filters.ticket_type
    if member is None or kind is None or not (member.op.negative or kind.op.negative):
        return None
    terms: list[tuple[int, BinCounts]] = []
    for term, sign in filters.complemented():
        found = rollups.hist_where(term, priority=False)
        if found is None:
            terms.append((sign, _raw_counts(session, term, priorities)))
        else:
            terms.append((sign, _histogram_counts(session, found, priorities)))
    return _combine(*terms)


def _values_in_bins(
    session: Session, filters: TicketFilters, wanted: dict[str, list[int]], counts: BinCounts
) -> dict[str, dict[int, float]]:
    """Locate each wanted row's bin from cumulated bin counts, then read it at its offset
    inside that bin."""
    # Each wanted row is read from the nearer end of its bin: at 10M tickets a bin holds ~78k
    # rows and an index read costs its offset, so this halves the average read.
    forward: list[tuple[str, int, int, int]] = []
    backward: list[tuple[str, int, int, int]] = []
    for priority, positions in wanted.items():
        bins = sorted((b, n) for b, n in counts[priority].items() if n)
        before, index = 0, 0
        for position in positions:
            while before + bins[index][1] < position:
                before += bins[index][1]
                index += 1
            bin_, in_bin = bins[index]
            offset = position - before - 1
            if offset < in_bin - 1 - offset:
                forward.append((priority, position, bin_, offset))
            else:
                backward.append((priority, position, bin_, in_bin - 1 - offset))
    stmt = union_all(
        _bin_reads(filters, forward, descending=False),
        _bin_reads(filters, backward, descending=True),
    )
    values: dict[str, dict[int, float]] = {p: {} for p in wanted}
    for priority, position, value in session.execute(stmt).all():
        values[str(priority)][int(position)] = float(value)
    return values


def _bin_reads(
    filters: TicketFilters, reads: list[tuple[str, int, int, int]], *, descending: bool
) -> Select[str, int, float]:
    """(priority, position, hours) of each read: the row at `offset` in its (priority, bin)
    counted from the bin's start, or from its end when `descending`. One statement of constant
    shape (arrays, not a union of N selects), so it is compiled once."""
    wanted_rows = select(
        func.unnest(literal([p for p, _, _, _ in reads], ARRAY(String))).label("p"),
        func.unnest(literal([k for _, k, _, _ in reads], ARRAY(Integer))).label("k"),
        func.unnest(literal([b for _, _, b, _ in reads], ARRAY(Integer))).label("b"),
        func.unnest(literal([o for _, _, _, o in reads], ARRAY(Integer))).label("o"),
    ).subquery("wanted_desc" if descending else "wanted")
    r = rollups.resolution.c
    row = (
        select(r.hours)
        .where(
            r.priority == wanted_rows.c.p,
            r.bin == wanted_rows.c.b,
            *rollups.resolution_where(filters),
        )
        .order_by(r.hours.desc() if descending else r.hours)
        .offset(wanted_rows.c.o)
        .limit(1)
        .lateral("row_desc" if descending else "row")
    )
    return select(wanted_rows.c.p, wanted_rows.c.k, row.c.hours).select_from(
        wanted_rows.join(row, true())
    )


def _values_by_numbering(
    session: Session, filters: TicketFilters, wanted: dict[str, list[int]]
) -> dict[str, dict[int, float]]:
    """Number the filtered rows along the (priority, bin, hours) index and keep the wanted
    ones: one pass, no sort."""
    r = rollups.resolution.c
    numbered = (
        select(
            r.priority,
            r.hours,
            func.row_number().over(partition_by=r.priority, order_by=(r.bin, r.hours)).label("rn"),
        )
        .where(r.priority.in_(list(wanted)), *rollups.resolution_where(filters))
        .subquery()
    )
    keys = [f"{p}:{rn}" for p, positions in wanted.items() for rn in positions]
    picked = select(numbered.c.priority, numbered.c.rn, numbered.c.hours).where(
        (numbered.c.priority + ":" + cast(numbered.c.rn, String)).in_(keys)
    )
    values: dict[str, dict[int, float]] = {p: {} for p in wanted}
    for priority, rn, value in session.execute(picked).all():
        values[str(priority)][int(rn)] = float(value)
    return values


def _stats(
    filters: TicketFilters,
    totals: dict[str, tuple[int, float]],
    values: dict[str, dict[int, float]],
) -> list[PriorityResolution]:
    out: list[PriorityResolution] = []
    for p in admitted_priorities(filters):
        if p not in totals:
            out.append(stats_row(p, None))
            continue
        n, hours_sum = totals[p]
        got = values[p]
        out.append(
            PriorityResolution(
                priority=p,
                count=n,
                min_hours=got[1],
                q1_hours=_interpolate(got, n, 0.25),
                median_hours=_interpolate(got, n, 0.5),
                q3_hours=_interpolate(got, n, 0.75),
                p90_hours=_interpolate(got, n, 0.9),
                max_hours=got[n],
                avg_hours=hours_sum / n,
            )
        )
    return out


def overdue_count_from_rollups(
    session: Session, filters: TicketFilters, tz: ZoneInfo, as_of: datetime
) -> int:
    """Late resolutions are fixed facts (cube); an open ticket is overdue once it is older than
    its type's hours, which is certain for days before `as_of` minus the longest expectation
    (cube) and checked ticket by ticket for the few recent days (raw)."""
    c = rollups.cube.c
    # Two round trips instead of four: each pair of reads goes in one statement.
    late_sum = select(func.coalesce(func.sum(c.n_late_done), 0)).where(
        *rollups.cube_where(filters, basis="c", grouped=("ticket_type_id",))
    )
    longest_hours = select(func.max(ticket_types.c.avg_resolution_hours))
    late, longest = session.execute(
        select(late_sum.scalar_subquery(), longest_hours.scalar_subquery())
    ).one()
    cutoff = (as_of.astimezone(tz) - timedelta(hours=float(longest or 0))).date() - timedelta(
        days=1
    )
    old_end = cutoff - timedelta(days=1)
    start = filters.date.start if filters.date is not None else None
    end = filters.date.end if filters.date is not None else None
    recent = (
        select(func.count())
        .select_from(tickets.join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id))
        .where(
            tickets.c.status.in_(OPEN_STATUSES),
            tickets.c.created_at >= day_start(cutoff, tz),
            overdue_clause(as_of),
            *ticket_clauses(filters, tz),
        )
    )
    counts: list[ScalarSelect[int]] = [recent.scalar_subquery()]
    if start is None or start <= old_end:
        old = filters.with_date(DateFilter(DateOp.BETWEEN, start, min(end or old_end, old_end)))
        old_open = select(func.coalesce(func.sum(c.n_open_typed), 0)).where(
            *rollups.cube_where(old, basis="c", grouped=("ticket_type_id",))
        )
        counts.append(old_open.scalar_subquery())
    return int(late) + sum(int(n) for n in session.execute(select(*counts)).one())


def resolution_times(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    as_of: datetime | None = None,
    use_rollups: bool | None = None,
) -> ResolutionTimes:
    """`as_of` (default now) decides how old open tickets are."""
    now = as_of or datetime.now(UTC)
    if rollups.use_rollups(session, tz, use_rollups, filters):
        return ResolutionTimes(
            by_priority=stats_from_rollups(session, filters),
            overdue_count=overdue_count_from_rollups(session, filters, tz, now),
        )
    return ResolutionTimes(
        by_priority=stats_from_tickets(session, filters, tz),
        overdue_count=overdue_count_from_tickets(session, filters, tz, now),
    )
