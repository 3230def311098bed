"""SLA compliance per priority, team member, client or creation period: the counts of
`sla.state.sla_block` grouped by one dimension, under the filter bar (creation day in the
reporting zone), both targets at once: from the SLA cube (`sla.state.counts_from_cube`) when
it answers, else from the `ticket_sla` rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, DateTime, and_, cast, func, select
from sqlalchemy.orm import Session

from support_analytics.analytics.tickets_over_time import Grain, period_key
from support_analytics.db.models import Client, TeamMember
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import day_clauses, ticket_clauses
from support_analytics.people import display_name
from support_analytics.sla import recompute, state
from support_analytics.sla.schemas import SlaBreakdown, SlaBreakdownRow
from support_analytics.sla.state import (
    Counts,
    Source,
    breached_clause,
    met_clause,
    pct,
    sla_columns,
    ticket_sla,
)

By = Literal["priority", "team_member", "client", "period"]
BYS: tuple[By, ...] = ("priority", "team_member", "client", "period")
PRIORITY_ORDER = ("urgent", "high", "medium", "low")


def _key(by: By, grain: Grain, tz: ZoneInfo, source: Source = ticket_sla) -> ColumnElement[object]:
    c = source.c
    if by == "priority":
        return c.priority
    if by == "team_member":
        return c.assigned_to
    if by == "client":
        return c.client_id
    return func.date_trunc(grain, func.timezone(tz.key, c.created_at))


def _labels(session: Session, by: By, keys: list[object]) -> dict[object, str]:
    ids = [k for k in keys if isinstance(k, int)]
    if by == "team_member":
        rows = session.execute(
            select(TeamMember.id, TeamMember.username).where(TeamMember.id.in_(ids))
        )
        return {i: display_name(n) for i, n in rows}
    if by == "client":
        rows = session.execute(select(Client.id, Client.client_name).where(Client.id.in_(ids)))
        return {i: n for i, n in rows}
    return {}


def from_rows(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    by: By,
    grain: Grain = "month",
    as_of: datetime | None = None,
    source: Source = ticket_sla,
) -> SlaBreakdown:
    """`breakdown` over the filtered `ticket_sla` rows (plain SQL, every row read), or over
    `source`'s (`sla.plain`: the same rows computed from the raw tables)."""
    now = as_of or datetime.now(UTC)
    c = source.c
    key = _key(by, grain, tz, source).label("key")
    stmt = (
        select(
            key,
            c.target,
            func.count().filter(met_clause(source)),
            func.count().filter(breached_clause(now, source)),
            func.count(),
        )
        .select_from(source)
        .where(*ticket_clauses(filters, tz, sla_columns(source)))
        .group_by(key, c.target)
    )
    counts: dict[tuple[object, str], Counts] = {
        (k, str(target)): (int(met), int(breached), int(total))
        for k, target, met, breached, total in session.execute(stmt)
    }
    return _result(session, by, grain, counts)


def _from_cube(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    by: By,
    grain: Grain,
    now: datetime,
    gmask: int,
) -> SlaBreakdown:
    k = state.cube.c
    when = None
    if by == "priority":
        key: ColumnElement[object] = k.priority
    elif by == "team_member":
        key = k.assigned_to
    elif by == "client":
        key = k.client_id
    else:
        key = func.date_trunc(grain, cast(k.bucket, DateTime))
        if grain != "month":  # weeks and days from day rows; months from any grain but 'a'
            when = and_(k.grain == "d", *day_clauses(filters.date, k.bucket))
        elif filters.date is None:
            when = k.grain == "m"
    counts = state.counts_from_cube(
        session,
        filters,
        tz,
        now,
        gmask=gmask,
        by_member=by == "team_member",
        by_client=by == "client",
        by_period=by == "period",
        key=key,
        running_key=_key(by, grain, tz),
        when=when,
    )
    return _result(session, by, grain, counts)


def _result(
    session: Session, by: By, grain: Grain, counts: dict[tuple[object, str], Counts]
) -> SlaBreakdown:
    per_key: dict[object, dict[str, Counts]] = {}
    for (k, target), value in counts.items():
        per_key.setdefault(k, {})[target] = value
    labels = _labels(session, by, list(per_key))
    rows: list[SlaBreakdownRow] = []
    for k, per_target in per_key.items():
        fr_met, fr_breached, fr_total = per_target.get("first_response", (0, 0, 0))
        re_met, re_breached, re_total = per_target.get("resolution", (0, 0, 0))
        if fr_total == 0 and re_total == 0:
            continue  # a cube slice whose tickets all moved away
        if isinstance(k, datetime):  # a period's start, local wall clock
            text_key = label = period_key(k.date(), grain)
        elif k is None:
            text_key, label = (
                "",
                {"priority": "No priority", "team_member": "Unassigned"}.get(by, "None"),
            )
        else:
            text_key = str(k)
            label = labels.get(k, str(k).capitalize() if by == "priority" else f"#{k}")
        rows.append(
            SlaBreakdownRow(
                key=text_key,
                label=label,
                tickets=max(fr_total, re_total),
                first_response_met=fr_met,
                first_response_breached=fr_breached,
                first_response_pending=fr_total - fr_met - fr_breached,
                first_response_compliance_pct=pct(fr_met, fr_breached),
                resolution_met=re_met,
                resolution_breached=re_breached,
                resolution_pending=re_total - re_met - re_breached,
                resolution_compliance_pct=pct(re_met, re_breached),
            )
        )
    rows.sort(key=lambda row: _order(by, row))
    return SlaBreakdown(
        by=by,
        grain=grain if by == "period" else None,
        rows=rows,
        recomputing=recompute.unfinished(session),
    )


def _order(by: By, row: SlaBreakdownRow) -> tuple[int, str]:
    if by == "priority":
        rank = PRIORITY_ORDER.index(row.key) if row.key in PRIORITY_ORDER else len(PRIORITY_ORDER)
        return (rank, row.key)
    if by == "period":
        return (0, row.key)
    return (1 if row.key == "" else 0, row.label.lower())


def breakdown(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    by: By,
    grain: Grain = "month",
    as_of: datetime | None = None,
) -> SlaBreakdown:
    """One row per value of `by` that has tickets: met / breached / pending and compliance
    per target. Priorities urgent first; members and clients by name; periods in order.
    From the SLA cube when it answers (`state.cube_mask`; by client or under a client or plan
    filter: when the filter has no assignee or type condition), by priority or client under
    such a condition from the client pairs (`from_pairs`), else from the rows."""
    gmask = state.cube_mask(
        session, filters, tz, by_member=by == "team_member", by_client=by == "client"
    )
    now = as_of or datetime.now(UTC)
    if gmask is not None:
        return _from_cube(session, filters, tz, by=by, grain=grain, now=now, gmask=gmask)
    if by in PAIR_BYS and state.pairs_usable(session, filters, tz):
        return from_pairs(session, filters, tz, by=by, as_of=now)
    return from_rows(session, filters, tz, by=by, grain=grain, as_of=as_of)


PAIR_BYS: tuple[By, ...] = ("priority", "client")


def from_pairs(
    session: Session,
    filters: TicketFilters,
    tz: ZoneInfo,
    *,
    by: By,
    as_of: datetime | None = None,
) -> SlaBreakdown:
    """`breakdown` by priority or client from the cube's rows grouped by client, alone or
    with the assignee or the type (`state.counts_from_pairs`; `state.pairs_usable` says when
    they answer): the breakdown by client, and client or plan filters, under an assignee or
    type condition."""
    if by not in PAIR_BYS:
        raise ValueError(f"the client pairs have no {by} key")
    key: Literal["client_id", "priority"] = "client_id" if by == "client" else "priority"
    counts = state.counts_from_pairs(session, filters, tz, as_of or datetime.now(UTC), key=key)
    return _result(session, by, "month", counts)
