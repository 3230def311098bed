"""Responsiveness (SPEC section 10, issue 14): first response time, awaiting first reply,
one-touch resolution, per priority and per team member.

The numbers come from the rollups of migration 0008 (`response_rollups`: sums, an FRT
histogram and one-row reads at bin offsets) when they are bucketed in the request's zone and
carry every filtered dimension; otherwise from `ticket_response_facts` (migration 0007): one
row per ticket, kept exact by triggers after every write, with the ticket's filter-bar
dimensions beside its facts, filtered through the same `filters.sql` clauses as `tickets`.

Definitions:
- FRT = first reply (`from_client = false`) `created_at` - ticket `created_at`, in hours,
  never below 0; `count` is the tickets with one. Percentiles are `percentile_cont`
  (continuous, as the resolution statistics), exact.
- awaiting = open (`open`, `in_progress`) tickets with no reply yet.
- one-touch = resolved or closed tickets with exactly one reply, out of all resolved or closed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    and_,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select

from support_analytics.analytics import response_rollups as rr
from support_analytics.analytics import tables as analytics_tables
from support_analytics.analytics.definitions import CLOSED_STATUSES, OPEN_STATUSES, hours_between
from support_analytics.analytics.distribution import admitted_priorities
from support_analytics.analytics.schemas import (
    FirstResponse,
    OneTouch,
    PriorityResponsiveness,
    Responsiveness,
    ResponsivenessTeam,
    ResponsivenessTeamRow,
)
from support_analytics.analytics.tables import team_members, tickets
from support_analytics.db import tables
from support_analytics.db.statements import kept
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import TicketColumns, set_clause, ticket_clauses
from support_analytics.people import display_name
from support_analytics.sla import state as sla_state
from support_analytics.sla.plain import plain_sla

facts = tables.ticket_response_facts

FACT_COLUMNS = TicketColumns(
    created_at=facts.c.created_at,
    assigned_to=facts.c.assigned_to,
    ticket_type_id=facts.c.ticket_type_id,
    priority=facts.c.priority,
    client_id=facts.c.client_id,
)


def _f(value: object) -> float | None:
    return None if value is None else float(str(value))


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


# Group rows are (count, awaiting, median, p90, mean, resolved, one-touch).
Stats = tuple[int, int, float | None, float | None, float | None, int, int]
EMPTY: Stats = (0, 0, None, None, None, 0, 0)
# Up to this many distinct (group, FRT) pairs the percentiles are read off a frequency table
# (one hash aggregate, no sort); beyond it PostgreSQL's percentile_cont sorts the values.
DISTINCT_CAP = 20_000


def percentile_cont(pairs: Sequence[tuple[float, int]], q: float) -> float | None:
    """PostgreSQL's percentile_cont(q) over the values `pairs` lists as (value, how many),
    ascending: the same two rows and the same interpolation, so the same double."""
    n = sum(count for _, count in pairs)
    if n == 0:
        return None
    position = q * (n - 1)
    first = math.floor(position)
    second = math.ceil(position)
    low = high = None
    seen = 0
    for value, count in pairs:
        if low is None and first < seen + count:
            low = value
        if second < seen + count:
            high = value
            break
        seen += count
    assert low is not None
    assert high is not None
    if first == second:
        return low
    return low + (position - first) * (high - low)


def _stats(pairs: list[tuple[float, int]], counts: tuple[int, int, int]) -> Stats:
    pairs.sort()
    n = sum(count for _, count in pairs)
    mean = None if n == 0 else math.fsum(value * count for value, count in pairs) / n
    return (
        n,
        counts[0],
        percentile_cont(pairs, 0.5),
        percentile_cont(pairs, 0.9),
        mean,
        counts[1],
        counts[2],
    )


def _by_frequency(
    session: Session, filters: TicketFilters, tz: ZoneInfo, cap: int
) -> dict[str | None, Stats] | None:
    """Stats per priority and overall (key None) from (priority, FRT) counts, or None when
    there are more than `cap` distinct pairs."""
    f = facts.c
    stmt = (
        select(
            f.priority,
            f.frt_hours,
            func.count(),
            func.count().filter(and_(f.replies == 0, f.status.in_(OPEN_STATUSES))),
            func.count().filter(f.status.in_(CLOSED_STATUSES)),
            func.count().filter(and_(f.status.in_(CLOSED_STATUSES), f.replies == 1)),
        )
        .where(true(), *ticket_clauses(filters, tz, FACT_COLUMNS))
        .group_by(f.priority, f.frt_hours)
        .limit(cap + 1)
    )
    rows = session.execute(stmt).all()
    if len(rows) > cap:
        return None
    pairs: dict[str | None, dict[float, int]] = {None: {}}
    counts: dict[str | None, list[int]] = {None: [0, 0, 0]}
    for priority, frt, n, awaiting, resolved, one_touch in rows:
        for key in {None, priority}:
            tally = counts.setdefault(key, [0, 0, 0])
            tally[0] += awaiting
            tally[1] += resolved
            tally[2] += one_touch
            if frt is not None:
                values = pairs.setdefault(key, {})
                values[frt] = values.get(frt, 0) + n
    return {
        key: _stats(list(pairs.get(key, {}).items()), (tally[0], tally[1], tally[2]))
        for key, tally in counts.items()
    }


def _by_sorting(session: Session, filters: TicketFilters, tz: ZoneInfo) -> dict[str | None, Stats]:
    f = facts.c
    where = ticket_clauses(filters, tz, FACT_COLUMNS)
    return _sorted_stats(
        session,
        priority=f.priority,
        status=f.status,
        replies=f.replies,
        frt=f.frt_hours,
        where=where,
    )


def _sorted_stats(
    session: Session,
    *,
    priority: ColumnElement[str | None],
    status: ColumnElement[str | None],
    replies: ColumnElement[int],
    frt: ColumnElement[float | None],
    where: Sequence[ColumnElement[bool]] = (),
) -> dict[str | None, Stats]:
    """Stats per priority and overall (key None), sorted by Postgres (`percentile_cont`), over
    any source of per-ticket facts: the facts table, or the bench's plain-SQL subquery."""
    stmt = (
        select(
            func.grouping(priority),
            priority,
            func.count(frt),
            func.count().filter(and_(replies == 0, status.in_(OPEN_STATUSES))),
            func.percentile_cont(0.5).within_group(frt),
            func.percentile_cont(0.9).within_group(frt),
            func.avg(frt),
            func.count().filter(status.in_(CLOSED_STATUSES)),
            func.count().filter(and_(status.in_(CLOSED_STATUSES), replies == 1)),
        )
        .where(true(), *where)
        .group_by(func.rollup(priority))
    )
    out: dict[str | None, Stats] = {}
    for row in session.execute(stmt):
        key = None if row[0] == 1 else row[1]
        if row[0] == 1 or key is not None:
            out[key] = (
                int(row[2]),
                int(row[3]),
                _f(row[4]),
                _f(row[5]),
                _f(row[6]),
                int(row[7]),
                int(row[8]),
            )
    return out


def _from_rollups(
    session: Session, filters: TicketFilters, tz: ZoneInfo
) -> dict[str | None, Stats]:
    """Stats per priority and overall (key None) from the rollups of migration 0008."""
    sums = rr.totals(session, filters)
    wide = rr.wide_pays(session)
    bins = rr.bins_by(session, filters, "priority", wide_bins=wide)
    groups: dict[rr.Group, rr.Bins] = {("priority", p): b for p, b in bins.items() if p is not None}
    groups[(None, None)] = rr.merged(bins)
    quantiles = (0.5, 0.9)
    if wide:
        groups = rr.narrowed(session, filters, "priority", groups, quantiles)
    found = rr.percentiles(session, filters, tz, groups, quantiles)
    out: dict[str | None, Stats] = {}
    everything = rr.Totals(0, 0.0, 0, 0, 0)
    for priority, t in sums.items():
        everything = rr.Totals(
            everything.n_frt + t.n_frt,
            everything.frt_sum + t.frt_sum,
            everything.awaiting + t.awaiting,
            everything.done + t.done,
            everything.one_touch + t.one_touch,
        )
        if priority is not None:
            out[priority] = _rollup_stats(t, found.get(("priority", priority)))
    out[None] = _rollup_stats(everything, found.get((None, None)))
    return out


def _rollup_stats(t: rr.Totals, quantiles: dict[float, float] | None) -> Stats:
    return (
        t.n_frt,
        t.awaiting,
        None if quantiles is None else quantiles[0.5],
        None if quantiles is None else quantiles[0.9],
        None if t.n_frt == 0 else t.frt_sum / t.n_frt,
        t.done,
        t.one_touch,
    )


def responsiveness(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    cap: int = DISTINCT_CAP,
    rollups: bool = True,
) -> Responsiveness:
    """The cards and the per-priority table: from the rollups when they answer the filters
    (`rollups=False` forces the facts table), else over the filtered facts."""
    stats: dict[str | None, Stats] | None = None
    if rollups and rr.usable(session, filters, tz):
        stats = _from_rollups(session, filters, tz)
    if stats is None:
        stats = _by_frequency(session, filters, tz, cap)
    if stats is None:
        stats = _by_sorting(session, filters, tz)
    return _with_sla(session, filters, tz, stats)


def _with_sla(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    stats: dict[str | None, Stats],
    *,
    plain: bool = False,
) -> Responsiveness:
    """The cards and table of `stats` with the SLA block (met / breached / pending per
    target): from the SLA cube, or (`plain`) over the SLA rows computed from the raw tables."""
    block = (
        sla_state.sla_block_from_rows(session, filters, tz, source=plain_sla())
        if plain
        else sla_state.sla_block(session, filters, tz)
    )
    return _result(filters, stats).model_copy(update={"sla": block})


def _result(filters: TicketFilters, stats: dict[str | None, Stats]) -> Responsiveness:
    total = stats.get(None, EMPTY)
    return Responsiveness(
        first_response=FirstResponse(
            count=total[0],
            awaiting=total[1],
            median_hours=total[2],
            p90_hours=total[3],
            avg_hours=total[4],
        ),
        by_priority=[
            PriorityResponsiveness(
                priority=p,
                count=row[0],
                awaiting=row[1],
                median_hours=row[2],
                p90_hours=row[3],
                avg_hours=row[4],
            )
            for p in admitted_priorities(filters)
            for row in (stats.get(p, EMPTY),)
        ],
        one_touch=OneTouch(resolved=total[5], one_touch=total[6], pct=_pct(total[6], total[5])),
    )


def _medians_by_frequency(
    session: Session, filters: TicketFilters, tz: ZoneInfo, cap: int
) -> dict[int, tuple[int, float | None]] | None:
    f = facts.c
    stmt = (
        select(f.assigned_to, f.frt_hours, func.count())
        .where(f.frt_hours.is_not(None), *ticket_clauses(filters, tz, FACT_COLUMNS))
        .group_by(f.assigned_to, f.frt_hours)
        .limit(cap + 1)
    )
    rows = session.execute(stmt).all()
    if len(rows) > cap:
        return None
    pairs: dict[int, list[tuple[float, int]]] = {}
    for member, frt, n in rows:
        if member is not None:
            pairs.setdefault(member, []).append((frt, n))
    out: dict[int, tuple[int, float | None]] = {}
    for member, values in pairs.items():
        values.sort()
        out[member] = (sum(n for _, n in values), percentile_cont(values, 0.5))
    return out


def _medians_by_sorting(
    session: Session, filters: TicketFilters, tz: ZoneInfo
) -> dict[int, tuple[int, float | None]]:
    f = facts.c
    stmt = (
        select(
            f.assigned_to,
            func.count(f.frt_hours),
            func.percentile_cont(0.5).within_group(f.frt_hours),
        )
        .where(
            f.frt_hours.is_not(None),
            f.assigned_to.is_not(None),
            *ticket_clauses(filters, tz, FACT_COLUMNS),
        )
        .group_by(f.assigned_to)
    )
    return {row[0]: (int(row[1]), _f(row[2])) for row in session.execute(stmt)}


def _medians_from_rollups(
    session: Session, filters: TicketFilters, tz: ZoneInfo
) -> dict[int, tuple[int, float | None]]:
    wide = rr.wide_pays(session)
    bins = rr.bins_by(session, filters, "assigned_to", wide_bins=wide)
    groups: dict[rr.Group, rr.Bins] = {
        ("assigned_to", m): b for m, b in bins.items() if m is not None
    }
    if wide:
        groups = rr.narrowed(session, filters, "assigned_to", groups, (0.5,))
    found = rr.percentiles(session, filters, tz, groups, (0.5,))
    return {
        int(member): (sum(b.values()), found[("assigned_to", member)][0.5])
        for (_, member), b in groups.items()
        if member is not None
    }


def team(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    cap: int = DISTINCT_CAP,
    rollups: bool = True,
) -> ResponsivenessTeam:
    """Every team member the filter admits (none-replied included): first replies on the
    tickets assigned to them and their median FRT."""
    medians: dict[int, tuple[int, float | None]] | None = None
    if rollups and rr.usable(session, filters, tz, by_member=True):
        medians = _medians_from_rollups(session, filters, tz)
    if medians is None:
        medians = _medians_by_frequency(session, filters, tz, cap)
    if medians is None:
        medians = _medians_by_sorting(session, filters, tz)
    return _team_result(session, filters, medians)


def _team_result(
    session: Session, filters: TicketFilters, medians: dict[int, tuple[int, float | None]]
) -> ResponsivenessTeam:
    members = select(team_members.c.id, team_members.c.username).order_by(team_members.c.id)
    if filters.team_member is not None:
        members = members.where(set_clause(filters.team_member, team_members.c.id))
    return ResponsivenessTeam(
        rows=[
            ResponsivenessTeamRow(
                team_member_id=member_id,
                name=display_name(name),
                first_replies=medians.get(member_id, (0, None))[0],
                median_first_response_hours=medians.get(member_id, (0, None))[1],
            )
            for member_id, name in session.execute(members)
        ]
    )


_messages = analytics_tables.messages


def _plain_facts(
    filters: TicketFilters, tz: ZoneInfo
) -> Select[str | None, str | None, int | None, int, float]:
    """Per filtered ticket, from the raw tables: priority, status, assignee, replies, FRT."""
    m = _messages.c
    replies = (
        select(
            m.ticket_id,
            func.count().label("replies"),
            func.min(m.created_at).label("first_reply"),
        )
        .where(m.from_client.is_(False))
        .group_by(m.ticket_id)
        .subquery("replies")
    )
    t = tickets.c
    frt = func.greatest(0, hours_between(t.created_at, replies.c.first_reply))
    return (
        select(
            t.priority,
            t.status,
            t.assigned_to,
            func.coalesce(replies.c.replies, 0).label("replies"),
            frt.label("frt"),
        )
        .select_from(tickets.outerjoin(replies, replies.c.ticket_id == t.id))
        .where(true(), *ticket_clauses(filters, tz))
    )


def from_tickets(session: Session, filters: TicketFilters, tz: ZoneInfo) -> Responsiveness:
    """Plain SQL over `tickets` and `ticket_messages` (the bench's baseline)."""
    p = _plain_facts(filters, tz).subquery("plain")
    stats = _sorted_stats(
        session, priority=p.c.priority, status=p.c.status, replies=p.c.replies, frt=p.c.frt
    )
    return _with_sla(session, filters, tz, stats, plain=True)


def team_from_tickets(session: Session, filters: TicketFilters, tz: ZoneInfo) -> ResponsivenessTeam:
    """Plain SQL over `tickets` and `ticket_messages` (the bench's baseline)."""
    p = _plain_facts(filters, tz).subquery("plain")
    stmt = (
        select(
            p.c.assigned_to, func.count(p.c.frt), func.percentile_cont(0.5).within_group(p.c.frt)
        )
        .where(p.c.frt.is_not(None), p.c.assigned_to.is_not(None))
        .group_by(p.c.assigned_to)
    )
    medians = {int(r[0]): (int(r[1]), _f(r[2])) for r in session.execute(stmt)}
    return _team_result(session, filters, medians)


# One filter of each kind the kept statements tell apart (`warm_statements`): the number of
# signed slices (negative assignee and type filters; a positive one reads as many as none),
# how a priority filter is read per assignee, a client filter. Values do not matter.
_KINDS = [
    *(
        TicketFilters.from_query({k: v for k, v in kind.items() if v})
        for member in ("", "is_not:1")
        for type_ in ("", "is_not:1")
        for priority in ("", "is:low", "is_not:low")
        for kind in ({"team_member": member, "ticket_type": type_, "priority": priority},)
    ),
    *(
        TicketFilters.from_query({"client": "is:1", **({"priority": p} if p else {})})
        for p in ("", "is:low", "is_not:low")
    ),
]


def warm_statements(session: Session, tz: ZoneInfo) -> int:
    """Build and compile the statements the rollup readers keep (`db.statements`) for every
    kind of filter in `_KINDS`, so that no request pays for it (up to ~150 ms for the cards
    at 1M tickets). Meant for a session that sees no row (a request role without a
    session): the statements run, cheaply, and SQLAlchemy keeps their compiled form.
    Returns how many statements are kept."""
    now = datetime.now(UTC)
    for filters in _KINDS:
        rr.totals(session, filters)
        sla_state.counts_from_cube(session, filters, tz, now, gmask=rr.mask(filters))
        for by in ("priority", "assigned_to"):
            if by == "assigned_to" and filters.by_client:
                continue  # not answered from the rollups (`rr.usable`)
            # Both ways of reading bins: which one pays depends on the data's size
            # (`rr.wide_pays`), and this session sees none of it.
            rr.bins_by(session, filters, by, wide_bins=False)
            rr.bins_by(session, filters, by, wide_bins=True)
            rr.fine_bins(session, filters, by, [0])
        for groups in (("priority", None), (None,), ("assigned_to",)):
            if "assigned_to" in groups and filters.by_client:
                continue
            # A read that checks its bin's ends first and one that does not: two statements.
            reads: list[rr.Read] = [(0, None, 0, 0, False, False), (1, None, 0, 0, False, True)]
            rr.read_values(session, filters, tz, {by: reads for by in groups})
    return kept()
