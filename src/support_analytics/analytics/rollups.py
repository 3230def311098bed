"""Reading the rollups of migration 0004 (`analytics_cube`, `analytics_resolution`) and
rebuilding them after bulk loads.

A widget asks `cube_where` for sums grouped by some dimensions: the cube slice is the one
grouped by exactly the dimensions its filters and grouping touch (`gmask`), full months come
from grain 'm', the rest of the range's edges from week segments (grain 'w', migration
0004_weeks) and single days (grain 'd'). When the rollups are stale
or were built for another timezone, `usable` says no and widgets read the raw tables.

Only the cube's creation-day rows (basis 'c') carry the client: a client or plan filter is
answered there through the client slice (`gmask` bit 8, a plan as its set of clients), while
the widgets reading the resolution rows, the hours histogram or the resolved-day rows (basis
'r') read the raw tables for it (`use_rollups(..., filters)`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol, cast
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import (
    ColumnElement,
    select,
)
from sqlalchemy.orm import Session

from support_analytics.db import tables
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import (
    TicketColumns,
    bucket_condition,
    day_clauses,
    dimension_clauses,
)

# The rollup tables are declared with every other table, on one MetaData (db/tables.py).
cube = tables.analytics_cube
resolution = tables.analytics_resolution
hours_hist = tables.analytics_hours_hist
state = tables.analytics_rollup_state

CUBE_COLUMNS = TicketColumns(
    created_at=cube.c.bucket,
    assigned_to=cube.c.assigned_to,
    ticket_type_id=cube.c.ticket_type_id,
    priority=cube.c.priority,
    client_id=cube.c.client_id,
)
# The same columns as expressions no index matches. With a date range, the bucket condition is
# an OR of ranges that the index (basis, gmask, grain, bucket, ...) answers with a BitmapOr of a
# few thousand rows; when the dimension filters were indexable too, the planner used them
# instead (skip scan) and read the whole slice: 1M tickets, team table for type any_of:5,7 and
# four priorities from 2025-10-26 on, 91 ms against 0.8 ms.
_assigned_to: ColumnElement[int | None] = cube.c.assigned_to + 0
_ticket_type_id: ColumnElement[int] = cube.c.ticket_type_id + 0
_priority = cast("ColumnElement[str | None]", cube.c.priority.concat(""))
_client_id: ColumnElement[int | None] = cube.c.client_id + 0
CUBE_COLUMNS_UNINDEXED = TicketColumns(
    created_at=cube.c.bucket,
    assigned_to=_assigned_to.label(None),
    ticket_type_id=_ticket_type_id.label(None),
    priority=_priority.label(None),
    client_id=_client_id.label(None),
)
RESOLUTION_COLUMNS = TicketColumns(
    created_at=resolution.c.cday,
    assigned_to=resolution.c.assigned_to,
    ticket_type_id=resolution.c.ticket_type_id,
    priority=resolution.c.priority,
)
HIST_COLUMNS = TicketColumns(
    created_at=hours_hist.c.bucket,
    assigned_to=hours_hist.c.assigned_to,
    ticket_type_id=hours_hist.c.ticket_type_id,
    priority=hours_hist.c.priority,
)
BITS = {"assigned_to": 1, "ticket_type_id": 2, "priority": 4, "client_id": 8}


class Executes(Protocol):
    def execute(self, query: str, params: tuple[str, ...] = ...) -> object: ...


def rebuild(conn: Executes, timezone: str) -> None:
    """Recompute every rollup from the raw tables, bucketed in `timezone` (call after bulk
    loads, and when the reporting timezone changes)."""
    conn.execute("SELECT analytics_rebuild(%s)", (timezone,))


def vacuum(conn: Executes) -> None:
    """After a rebuild, outside a transaction: fresh statistics and a visibility map, so the
    resolution rows, the first-response facts' (bin, FRT) indexes and the breached list's
    `ticket_sla` indexes are read by index-only scans."""
    conn.execute(
        "VACUUM (ANALYZE) analytics_cube, analytics_resolution, analytics_hours_hist,"
        " ticket_response_facts, analytics_response_cube, analytics_frt_hist,"
        " analytics_frt_hist_any_priority, ticket_sla, analytics_sla_cube"
    )


@dataclass(frozen=True)
class RollupState:
    """`analytics_rollup_state` as read once: the zone the rollups were bucketed in and
    whether triggers keep them exact. A request reads it once (`endpoints.UseRollups`) and
    hands the answer to every widget it calls."""

    timezone: str | None
    fresh: bool

    def usable(self, tz: ZoneInfo) -> bool:
        return self.fresh and self.timezone == tz.key


def read_state(session: Session) -> RollupState:
    row = session.execute(select(state.c.timezone, state.c.fresh)).first()
    if row is None:
        return RollupState(timezone=None, fresh=False)
    return RollupState(timezone=row.timezone, fresh=bool(row.fresh))


def usable(session: Session, tz: ZoneInfo) -> bool:
    """Whether the rollups are fresh and bucketed in `tz` (else widgets read raw tables)."""
    return read_state(session).usable(tz)


def use_rollups(
    session: Session, tz: ZoneInfo, given: bool | None, filters: TicketFilters | None = None
) -> bool:
    """`given` when the caller read the state already (once per request), else read it.
    `filters` comes from widgets that read rollups without a client column: a client or plan
    filter sends them to the raw tables."""
    if filters is not None and filters.by_client:
        return False
    return usable(session, tz) if given is None else given


def mask_for(filters: TicketFilters, grouped: tuple[str, ...]) -> int:
    mask = sum(BITS[name] for name in grouped)
    if filters.team_member is not None:
        mask |= BITS["assigned_to"]
    if filters.ticket_type is not None:
        mask |= BITS["ticket_type_id"]
    if filters.priority is not None:
        mask |= BITS["priority"]
    if filters.by_client:
        mask |= BITS["client_id"]
    return mask


def _client_on_basis(filters: TicketFilters, basis: str) -> None:
    """The resolved-day rows have no client: answering a client filter there would sum an
    empty slice, silently."""
    if basis != "c" and filters.by_client:
        raise ValueError(f"cube basis {basis!r} has no client column")


def cube_where(
    filters: TicketFilters, *, basis: str, grouped: tuple[str, ...]
) -> list[ColumnElement[bool]]:
    """The slice of `analytics_cube` that answers `filters` grouped by `grouped`. Callers
    drop a grouped column's NULL group from the result, not with `col IS NOT NULL` here: on
    an index column behind the bucket that test, like the unindexed dimensions above, made
    the planner scan the whole slice instead of OR-ing the date ranges (1M tickets,
    priorities for two months and a type filter: 123 ms against ~2 ms)."""
    _client_on_basis(filters, basis)
    return [
        cube.c.basis == basis,
        cube.c.gmask == mask_for(filters, grouped),
        bucket_condition(filters.date, cube.c.bucket, cube.c.grain),
        *dimension_clauses(
            filters, CUBE_COLUMNS if filters.date is None else CUBE_COLUMNS_UNINDEXED
        ),
    ]


def day_where(filters: TicketFilters, *, basis: str) -> list[ColumnElement[bool]]:
    """The cube's day rows for `filters` (per-day series: days, and weeks summed from days)."""
    _client_on_basis(filters, basis)
    return [
        cube.c.basis == basis,
        cube.c.gmask == mask_for(filters, ()),
        cube.c.grain == "d",
        *dimension_clauses(filters, CUBE_COLUMNS_UNINDEXED),
        *day_clauses(filters.date, cube.c.bucket),
    ]


def resolution_where(filters: TicketFilters) -> list[ColumnElement[bool]]:
    return [
        *dimension_clauses(filters, RESOLUTION_COLUMNS),
        *day_clauses(filters.date, resolution.c.cday),
    ]


def hist_where(
    filters: TicketFilters, *, priority: bool = True
) -> list[ColumnElement[bool]] | None:
    """The histogram slice for `filters`, or None when it has no such slice (assignee and
    type filtered together). `priority=False` leaves the priority filter to the caller: a
    condition on priority, a column behind the bucket in the index, made the planner scan the
    whole slice instead of OR-ing the date ranges (24 ms against 3 ms at 1M tickets)."""
    if filters.team_member is not None and filters.ticket_type is not None:
        return None
    mask = 1 if filters.team_member is not None else 2 if filters.ticket_type is not None else 0
    h = hours_hist.c
    return [
        h.gmask == mask,
        bucket_condition(filters.date, h.bucket, h.grain, weeks=False),
        *dimension_clauses(filters if priority else replace(filters, priority=None), HIST_COLUMNS),
    ]


# pg_advisory_lock key of the start-up rebuild (any constant no other code uses).
_REBUILD_LOCK = 0x5A_0C_B1_1D


def ensure_fresh(libpq_url: str, timezone: str, *, force: bool = False) -> bool:
    """At start-up: rebuild when the rollups are stale or bucketed in another zone than the
    configured reporting zone (else every view would read the raw tables); `force` after a
    bulk load, whatever the state says. True if rebuilt.

    `serve --workers N` starts N processes that each call this: an advisory lock lets one
    rebuild while the others wait, and they find the rollups fresh once it is released."""
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_REBUILD_LOCK,))
        try:
            row = conn.execute("SELECT timezone, fresh FROM analytics_rollup_state").fetchone()
            if not force and row is not None and row[1] and row[0] == timezone:
                return False
            rebuild(conn, timezone)
            vacuum(conn)
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_REBUILD_LOCK,))
