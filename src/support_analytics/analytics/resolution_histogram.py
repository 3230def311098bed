"""Resolution-time histogram: resolved tickets (creation to resolution, hours) counted into
log-scaled bars.

The bars are built on the hours histogram of the rollups (`analytics_hours_hist`, 16 bins
per doubling of hours + 1, `analytics_hours_bin()`): a bar is two of its doublings' halves
wide, so a bar's edges are hours where hours + 1 is a power of the square root of 2 (0, 0.4,
1, 1.8, 3, 4.7, 7, 10.3, 15, ...). Log-scaled because resolution times are long-tailed, and
labelled with their own edges so the bars are never read as equal-width.

Three sources give the same counts, fastest first: the histogram rollup (a few hundred rows
whatever the data size), the per-ticket resolution rollup (when the histogram has no slice
for the filters: assignee and type together, read as complements where they are negative),
and the raw tables (`from_tickets`: rollups stale or built for another timezone; what `bench`
compares against).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select, union_all
from sqlalchemy.orm import Session

from support_analytics.analytics import rollups
from support_analytics.analytics.definitions import hours_between
from support_analytics.analytics.schemas import HistogramBar, ResolutionHistogram
from support_analytics.analytics.tables import tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import ticket_clauses

BINS_PER_DOUBLING = 16  # analytics_hours_bin()
BINS_PER_BAR = BINS_PER_DOUBLING // 2
MAX_BARS = 21  # the last bar is open-ended: 1,023 h (six weeks) and more
MIN_BARS = 8


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


def bars(bin_counts: list[tuple[int, int]]) -> ResolutionHistogram:
    """Bin counts -> bars, up to the last bar holding a ticket (at least MIN_BARS)."""
    counts = [0] * MAX_BARS
    for bin_, count in bin_counts:
        counts[bar_of(int(bin_))] += int(count)
    used = max((i + 1 for i, n in enumerate(counts) if n), default=0)
    shown = max(used, MIN_BARS)
    return ResolutionHistogram(
        bars=[
            HistogramBar(
                label=label(i, last=i == MAX_BARS - 1),
                lower_hours=round(edge(i), 3),
                upper_hours=None if i == MAX_BARS - 1 else round(edge(i + 1), 3),
                count=counts[i],
            )
            for i in range(shown)
        ]
    )


def _from_hours_hist(filters: TicketFilters) -> Select[int, int] | None:
    where = rollups.hist_where(filters)
    if where is None:
        return None
    h = rollups.hours_hist.c
    return select(h.bin, func.sum(h.n)).where(*where).group_by(h.bin)


def _from_resolution_rows(filters: TicketFilters) -> Select[int, int]:
    r = rollups.resolution.c
    return (
        select(r.bin, func.count())
        .where(r.hours.is_not(None), *rollups.resolution_where(filters))
        .group_by(r.bin)
    )


def _from_both(filters: TicketFilters) -> Select[int, int]:
    """Assignee and type filtered together, which the histogram has no slice for: the signed
    sum of `complemented` terms, each from the histogram when it lost one of the two, else
    from the per-ticket rows of the values it lists (an index range). Counting the rows the
    filters admit read most of the 700,000 resolved tickets at 1M (55-110 ms)."""
    parts = []
    for term, sign in filters.complemented():
        stmt = _from_hours_hist(term)
        if stmt is None:
            stmt = _from_resolution_rows(term)
        bin_, n = stmt.selected_columns
        parts.append(stmt.with_only_columns(bin_.label("bin"), (n * sign).label("n")))
    terms = union_all(*parts).subquery("terms")
    return select(terms.c.bin, func.sum(terms.c.n)).group_by(terms.c.bin)


def _bin(hours: ColumnElement[float]) -> ColumnElement[int]:
    return func.analytics_hours_bin(hours)


def _from_raw_tables(filters: TicketFilters, tz: ZoneInfo) -> Select[int, int]:
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


def _run(session: Session, stmt: Select[int, int]) -> ResolutionHistogram:
    rows = session.execute(stmt).all()
    return bars([(int(b), int(n)) for b, n in rows if b is not None])


def from_tickets(session: Session, filters: TicketFilters, tz: ZoneInfo) -> ResolutionHistogram:
    """Plain SQL over the raw tables."""
    return _run(session, _from_raw_tables(filters, tz))


def from_rollups(session: Session, filters: TicketFilters) -> ResolutionHistogram:
    """From the hours histogram; with assignee and type both filtered, which it has no slice
    for, partly from the per-ticket resolution rows (`_from_both`)."""
    stmt = _from_hours_hist(filters)
    return _run(session, stmt if stmt is not None else _from_both(filters))


def from_resolution_rows(session: Session, filters: TicketFilters) -> ResolutionHistogram:
    """From the per-ticket resolution rollup alone (tests compare every source)."""
    return _run(session, _from_resolution_rows(filters))


def resolution_histogram(
    session: Session, filters: TicketFilters, tz: ZoneInfo, *, use_rollups: bool | None = None
) -> ResolutionHistogram:
    """Resolved tickets the filter admits per log-scaled bar of resolution hours."""
    if rollups.use_rollups(session, tz, use_rollups, filters):
        return from_rollups(session, filters)
    return from_tickets(session, filters, tz)
