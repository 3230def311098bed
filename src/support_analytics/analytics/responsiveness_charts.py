"""First response time charts: the distribution (fixed bars of FRT hours) and FRT over time
(tickets with a first reply, median and p90 per creation day, week or month).

The distribution sums the FRT histogram (migrations 0008, 0019) when it answers the filters: its
bins' thresholds (`thresholds()`, the migration's list) contain every bar edge, so each bin
lies in exactly one bar. Otherwise, and for the series, the facts table (exact, one scan).
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Date, Float, case, cast, func, literal, select, true
from sqlalchemy.orm import Session

from support_analytics.analytics import response_rollups as rr
from support_analytics.analytics.responsiveness import FACT_COLUMNS, facts
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import ticket_clauses

Grain = Literal["day", "week", "month"]

# Bar lower edges in hours: 15 and 30 minutes, 1, 2, 4, 8 hours, 1, 2 and 7 days.
BAR_EDGES = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 168.0)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class FrtBar(_Model):
    label: str
    lower_hours: float
    upper_hours: float | None
    """None for the open-ended last bar; a bar holds lower <= FRT < upper."""
    count: int


class FrtHistogram(_Model):
    bars: list[FrtBar]


class FrtPoint(_Model):
    period: str
    """`YYYY-MM` by month, the Monday `YYYY-MM-DD` by week, the day by day."""
    count: int
    """Tickets created in the period with a first reply."""
    median_hours: float | None
    p90_hours: float | None


class FrtOverTime(_Model):
    grain: Grain
    series: list[FrtPoint]


def thresholds() -> list[float]:
    """The FRT bins' lower edges in hours, as migration 0019's `analytics_frt_bin` has them
    (bin i, 1-based, starts at edge i - 1): a minute apart below 8 hours, five minutes to 48
    hours, then 6 hours to 30 days and days."""
    edges = [k / 60.0 for k in range(8 * 60)]
    edges += [k / 12.0 for k in range(8 * 12, 48 * 12)]
    edges += [float(h) for h in range(48, 720, 6)]
    edges += [float(h) for h in range(720, 24 * 366, 24)]
    return edges


def _label(hours: float) -> str:
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 24:
        return f"{hours:g} h"
    return f"{hours / 24:g} d"


def _bars(counts: list[int]) -> FrtHistogram:
    bars = []
    for i, lower in enumerate(BAR_EDGES):
        upper = BAR_EDGES[i + 1] if i + 1 < len(BAR_EDGES) else None
        label = f"{_label(lower)}+" if upper is None else f"{_label(lower)}-{_label(upper)}"
        bars.append(FrtBar(label=label, lower_hours=lower, upper_hours=upper, count=counts[i]))
    return FrtHistogram(bars=bars)


def _bar_of_bin(bin_: int, edges: list[float]) -> int:
    lower = edges[bin_ - 1]
    return max(i for i, edge in enumerate(BAR_EDGES) if edge <= lower)


def histogram(
    session: Session, filters: TicketFilters, tz: ZoneInfo, *, rollups: bool = True
) -> FrtHistogram:
    counts = [0] * len(BAR_EDGES)
    if rollups and rr.usable(session, filters, tz):
        edges = thresholds()
        for bins in rr.bins_by(session, filters, "priority").values():
            for bin_, n in bins.items():
                counts[_bar_of_bin(bin_, edges)] += n
        return _bars(counts)
    f = facts.c
    bar = case(
        *((f.frt_hours >= edge, i) for i, edge in reversed(list(enumerate(BAR_EDGES)))),
        else_=0,
    )
    stmt = (
        select(bar, func.count())
        .where(f.frt_hours.is_not(None), *ticket_clauses(filters, tz, FACT_COLUMNS))
        .group_by(bar)
    )
    for index, n in session.execute(stmt):
        counts[int(index)] = int(n)
    return _bars(counts)


def over_time(
    session: Session, filters: TicketFilters, tz: ZoneInfo, grain: Grain = "month"
) -> FrtOverTime:
    """Per period of creation (in `tz`) with a first reply: count, median and p90 FRT."""
    f = facts.c
    local = func.timezone(literal(tz.key), f.created_at)
    period = cast(func.date_trunc(grain, local), Date).label("period")
    frt = cast(f.frt_hours, Float)
    stmt = (
        select(
            period,
            func.count(),
            func.percentile_cont(0.5).within_group(frt),
            func.percentile_cont(0.9).within_group(frt),
        )
        .where(true(), f.frt_hours.is_not(None), *ticket_clauses(filters, tz, FACT_COLUMNS))
        .group_by(period)
        .order_by(period)
    )
    series = []
    for day, n, median, p90 in session.execute(stmt):
        assert isinstance(day, date)
        key = day.strftime("%Y-%m") if grain == "month" else day.isoformat()
        series.append(
            FrtPoint(
                period=key,
                count=int(n),
                median_hours=None if median is None else float(median),
                p90_hours=None if p90 is None else float(p90),
            )
        )
    return FrtOverTime(grain=grain, series=series)
