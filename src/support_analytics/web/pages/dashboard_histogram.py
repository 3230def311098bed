"""Resolution-time histogram for the resolution view: resolved tickets counted into hour bins.

The analytics API gives the box-plot statistics; the histogram is a presentation of the
analytics engineer's hours histogram (`analytics_hours_hist`, 16 bins per doubling of
hours + 1, see migration 0004_hist). Bars are two of its doublings' halves wide, so a bar's
edges are hours where hours + 1 is a power of the square root of 2 (0, 0.4, 1, 1.8, 3, 4.7,
7, 10.3, 15, ...): log-scaled, because resolution times are long-tailed, and labelled with
their own edges so the bars are never read as equal-width.

Three sources give the same counts, fastest first: the histogram rollup (a few hundred rows
whatever the data size), the per-ticket resolution rollup (when the histogram has no slice
for the filters: assignee and type together), and the raw tables (rollups stale or built for
another timezone).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.definitions import hours_between
from support_analytics.analytics.tables import tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import ticket_clauses

BINS_PER_DOUBLING = 16  # analytics_hours_bin()
BINS_PER_BAR = BINS_PER_DOUBLING // 2
MAX_BARS = 21  # the last bar is open-ended: 1,023 h (six weeks) and more
MIN_BARS = 8


@dataclass(frozen=True)
class Histogram:
    labels: list[str]
    counts: list[int]


def edge(bar: int) -> float:
    """Lower edge, in hours, of bar `bar`."""
    return float(2 ** (bar / 2) - 1)


def _hours(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or value == round(value) else f"{value:.1f}"


def label(bar: int, last: bool) -> str:
    if last:
        return f"{_hours(edge(bar))}+ h"
    return f"{_hours(edge(bar))}-{_hours(edge(bar + 1))} h"


def bar_of(bin_: int) -> int:
    # Negative durations (resolved before created: bad data) count in the first bar.
    return min(max(bin_, 0) // BINS_PER_BAR, MAX_BARS - 1)


def _from_hours_hist(filters: TicketFilters) -> Select[int, int] | None:
    where = rollups.hist_where(filters)
    if where is None:
        return None
    h = rollups.hours_hist.c
    return select(h.bin, func.sum(h.n)).where(*where).group_by(h.bin)


def _from_rollup(filters: TicketFilters) -> Select[int, int]:
    r = rollups.resolution.c
    return (
        select(r.bin, func.count())
        .where(r.hours.is_not(None), *rollups.resolution_where(filters))
        .group_by(r.bin)
    )


def _bin(hours: ColumnElement[float]) -> ColumnElement[int]:
    return func.analytics_hours_bin(hours)


def _from_tickets(filters: TicketFilters, tz: ZoneInfo) -> Select[int, int]:
    bin_ = _bin(hours_between(tickets.c.created_at, tickets.c.resolved_at))
    return (
        select(bin_, func.count())
        .where(
            tickets.c.resolved_at.is_not(None),
            tickets.c.created_at.is_not(None),
            *ticket_clauses(filters, tz),
        )
        .group_by(bin_)
    )


def bars(bin_counts: list[tuple[int, int]]) -> Histogram:
    counts = [0] * MAX_BARS
    for bin_, count in bin_counts:
        counts[bar_of(int(bin_))] += int(count)
    used = max((i + 1 for i, n in enumerate(counts) if n), default=0)
    shown = max(used, MIN_BARS)
    counts = counts[:shown]
    return Histogram(labels=[label(i, last=i == MAX_BARS - 1) for i in range(shown)], counts=counts)


def resolution_histogram(session: Session, filters: TicketFilters, tz: ZoneInfo) -> Histogram:
    stmt: Select[int, int] | None = None
    if rollups.usable(session, tz):
        stmt = _from_hours_hist(filters)
        if stmt is None:
            stmt = _from_rollup(filters)
    rows = session.execute(stmt if stmt is not None else _from_tickets(filters, tz)).all()
    return bars([(int(b), int(n)) for b, n in rows if b is not None])
