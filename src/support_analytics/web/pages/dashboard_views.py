"""What each analytics view shows: the analytics engineer's results turned into cards, chart
payloads (the JSON app.js hands to ECharts), table rows and click-through links.

Numbers are never recomputed here; they come from `support_analytics.analytics`, the same
functions the JSON API serves, so the page and `/api/v1/analytics/*` agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from support_analytics.analytics import entities
from support_analytics.analytics.schemas import (
    Overview,
    OverviewCards,
    Priorities,
    ResolutionHistogram,
    ResolutionTimes,
    TeamPerformance,
    TicketsOverTime,
    TicketTypes,
)
from support_analytics.analytics.tickets_over_time import period_days
from support_analytics.filters import TicketFilters
from support_analytics.web.pages import dashboard_links as links
from support_analytics.web.templating import (
    day_label,
    hours,
    month_label,
    one_decimal,
    thousands,
)
from support_analytics.web.urls import url

JsonScalar = str | int | float | bool | None
JsonValue = JsonScalar | list["JsonValue"] | dict[str, "JsonValue"]
Payload = dict[str, JsonValue]

API = "/api/v1/analytics"


def api_url(endpoint: str, filters: TicketFilters, **extra: str | int | None) -> str:
    return url(f"{API}/{endpoint}", filters.to_params(), **extra)


# ---------- overview ----------


@dataclass(frozen=True)
class Delta:
    text: str
    tone: str  # "up" (good), "down" (bad) or "flat": colour follows meaning, not sign
    previous: str


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    value: str
    unit: str
    href: str | None
    detail: str | None
    delta: Delta | None


def _tone(change: float, higher_is_better: bool | None) -> str:
    if change == 0 or higher_is_better is None:
        return "flat"
    return "up" if (change > 0) == higher_is_better else "down"


def _count_delta(now: int, before: int, higher_is_better: bool | None) -> Delta:
    previous = thousands(before)
    if before == 0:
        return Delta("new" if now else "±0", "flat", previous)
    change = 100.0 * (now - before) / before
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    return Delta(f"{sign}{abs(change):,.1f}%", _tone(change, higher_is_better), previous)


def _value_delta(
    now: float | None, before: float | None, unit: str, higher_is_better: bool, fmt: str
) -> Delta | None:
    if now is None or before is None:
        return None
    change = round(now - before, 1)
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    return Delta(
        f"{sign}{abs(change):{fmt}}{unit}",
        _tone(change, higher_is_better),
        f"{before:{fmt}}{unit}",
    )


COMPARE_LABELS = {"previous": "Previous period", "year": "Same period last year"}


def days_text(concrete: str) -> str:
    """A comparison window in the date grammar (`between:a,b` or `on:a`) as days to read."""
    op, _, days = concrete.partition(":")
    first, _, last = days.partition(",")
    if op == "between":
        return f"{day_label(first)} to {day_label(last)}"
    return day_label(first)


def comparison_sentence(result: Overview) -> str | None:
    """Which period the deltas compare with, in concrete days (None: nothing compared)."""
    if result.previous_date is None:
        return None
    period = days_text(result.previous_date)
    what = (
        "the same days one year earlier" if result.compare == "year" else "the period just before"
    )
    return f"Deltas compare with {what} ({period}), with the same other filters."


def overview_cards(result: Overview, filters: TicketFilters) -> list[Card]:
    before: OverviewCards | None = result.previous
    rated = (
        f"{one_decimal(result.csat_satisfied_pct)}% rated 4-5 · "
        f"{thousands(result.feedback_count)} ratings"
    )
    return [
        Card(
            "total_tickets",
            "Total tickets",
            thousands(result.total_tickets),
            "",
            links.tickets_url(filters) if result.total_tickets else None,
            None,
            _count_delta(result.total_tickets, before.total_tickets, None) if before else None,
        ),
        Card(
            "open_tickets",
            "Open tickets",
            thousands(result.open_tickets),
            "",
            links.tickets_url(filters, status=links.OPEN) if result.open_tickets else None,
            "open or in progress",
            _count_delta(result.open_tickets, before.open_tickets, False) if before else None,
        ),
        Card(
            "avg_resolution_hours",
            "Average resolution time",
            hours(result.avg_resolution_hours),
            "h" if result.avg_resolution_hours is not None else "",
            # The workflow keeps resolved_at set exactly on resolved and closed tickets
            # (tickets/status.py), so these statuses are the tickets this average is over.
            links.tickets_url(filters, status=links.CLOSED)
            if result.avg_resolution_hours is not None
            else None,
            "created to resolved, resolved tickets",
            _value_delta(
                result.avg_resolution_hours, before.avg_resolution_hours, " h", False, ",.1f"
            )
            if before
            else None,
        ),
        Card(
            "csat_avg",
            "Customer satisfaction",
            one_decimal(result.csat_avg),
            "/ 5" if result.csat_avg is not None else "",
            links.tickets_url(filters, rating=links.RATED) if result.feedback_count else None,
            rated if result.feedback_count else "no ratings yet",
            _value_delta(result.csat_avg, before.csat_avg, "", True, ".1f") if before else None,
        ),
    ]


# ---------- tickets over time ----------


@dataclass(frozen=True)
class MonthLinks:
    created: str | None
    resolved: str | None


def month_links(result: TicketsOverTime, filters: TicketFilters) -> dict[str, MonthLinks]:
    """Per period (month, week or day, keyed as the series names it), the ticket lists behind
    its two numbers (None where a number is 0)."""
    out: dict[str, MonthLinks] = {}
    for point in result.series:
        key = point.period or point.month
        first, last = period_days(key, result.grain)
        out[key] = MonthLinks(
            created=links.created_in_days(filters, first, last) if point.created else None,
            resolved=links.resolved_in_days(filters, first, last) if point.resolved else None,
        )
    return out


def grain_label(grain: str, key: str) -> str:
    """A period's key (`2025-03`, a week's Monday, a day) as the pages write it."""
    if grain == "month":
        return month_label(key)
    return f"Week of {day_label(key)}" if grain == "week" else day_label(key)


def period_label(result: TicketsOverTime, key: str) -> str:
    return grain_label(result.grain, key)


def over_time_chart(result: TicketsOverTime, filters: TicketFilters) -> Payload:
    by_month = month_links(result, filters)
    chart_links: dict[str, JsonValue] = {}
    for index, point in enumerate(result.series):
        found = by_month[point.period or point.month]
        if found.created is not None:
            chart_links[f"0:{index}"] = found.created
        if found.resolved is not None:
            chart_links[f"1:{index}"] = found.resolved
    return {
        "labels": [period_label(result, p.period or p.month) for p in result.series],
        "created": [p.created for p in result.series],
        "resolved": [p.resolved for p in result.series],
        "links": chart_links,
        "comparison": None
        if result.comparison is None or result.compare is None
        else {
            "name": COMPARE_LABELS[result.compare],
            "labels": [period_label(result, p.period or p.month) for p in result.comparison],
            "created": [p.created for p in result.comparison],
            "resolved": [p.resolved for p in result.comparison],
        },
    }


@dataclass(frozen=True)
class ComparedPoint:
    label: str
    created: int
    resolved: int


def comparison_rows(result: TicketsOverTime) -> list[ComparedPoint | None]:
    """The comparison series by position, as long as the longer of the two series (None
    where the comparison period has no such day, week or month); empty without one."""
    if result.comparison is None:
        return []
    points: list[ComparedPoint | None] = [
        ComparedPoint(period_label(result, p.period or p.month), p.created, p.resolved)
        for p in result.comparison
    ]
    return points + [None] * (len(result.series) - len(points))


# ---------- distribution ----------


# Fourteen near-equal slices cannot be told apart: the donut names the largest few and groups
# the rest as "Other" (the table beside it lists every type).
DONUT_SLICES = 6


def type_chart(result: TicketTypes, filters: TicketFilters) -> Payload:
    shown = sorted(
        (row for row in result.rows if row.count > 0),
        key=lambda row: (-row.count, row.name, row.ticket_type_id),
    )
    named = shown if len(shown) <= DONUT_SLICES + 1 else shown[:DONUT_SLICES]
    rest = shown[len(named) :]
    items: list[JsonValue] = [
        {
            "name": row.name,
            "value": row.count,
            "pct": round(row.pct, 1) if row.pct is not None else 0.0,
        }
        for row in named
    ]
    if rest:
        items.append(
            {
                "name": f"Other ({len(rest)} types)",
                "value": sum(row.count for row in rest),
                "pct": round(sum(row.pct or 0.0 for row in rest), 1),
            }
        )
    chart_links: dict[str, JsonValue] = {
        str(i): links.tickets_url(links.for_type(filters, row.ticket_type_id))
        for i, row in enumerate(named)
    }
    if rest:
        ids = [row.ticket_type_id for row in rest]
        chart_links[str(len(named))] = links.tickets_url(links.for_type(filters, *ids))
    return {"items": items, "links": chart_links}


def priority_chart(result: Priorities, filters: TicketFilters) -> Payload:
    chart_links: dict[str, JsonValue] = {}
    for index, row in enumerate(result.rows):
        narrowed = links.for_priority(filters, row.priority)
        if row.open:
            chart_links[f"0:{index}"] = links.tickets_url(narrowed, status=links.OPEN)
        if row.closed:
            chart_links[f"1:{index}"] = links.tickets_url(narrowed, status=links.CLOSED)
    return {
        "labels": [row.priority.capitalize() for row in result.rows],
        "open": [row.open for row in result.rows],
        "closed": [row.closed for row in result.rows],
        "links": chart_links,
    }


# ---------- resolution times ----------


def _r(value: float | None) -> float:
    return round(value, 1) if value is not None else 0.0


def box_chart(result: ResolutionTimes, filters: TicketFilters) -> Payload:
    rows = [row for row in result.by_priority if row.count > 0]
    return {
        "labels": [row.priority.capitalize() for row in rows],
        "boxes": [
            [
                _r(row.min_hours),
                _r(row.q1_hours),
                _r(row.median_hours),
                _r(row.q3_hours),
                _r(row.max_hours),
            ]
            for row in rows
        ],
        "links": {
            str(i): links.tickets_url(
                links.for_priority(filters, row.priority), status=links.CLOSED
            )
            for i, row in enumerate(rows)
        },
    }


def histogram_chart(result: ResolutionHistogram) -> Payload:
    return {
        "labels": [bar.label for bar in result.bars],
        "counts": [bar.count for bar in result.bars],
    }


# ---------- team ----------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool
    sort_url: str
    sorted: str | None  # "ascending" / "descending" (aria-sort) when this column sorts


TEAM_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("name", "Team member", False),
    ("tickets_assigned", "Tickets assigned", True),
    ("tickets_resolved", "Tickets resolved", True),
    ("avg_resolution_hours", "Avg resolution (h)", True),
    ("avg_rating", "Avg rating", True),
    ("status", "Status", False),
)


def team_totals(result: TeamPerformance) -> int:
    return sum(row.tickets_assigned for row in result.rows)


def team_row_links(result: TeamPerformance, filters: TicketFilters) -> dict[int, dict[str, str]]:
    """Per member, the ticket lists behind each number: an average links to the tickets it
    averages over (resolved ones for hours, rated ones for the rating)."""
    found: dict[int, dict[str, str]] = {}
    for row in result.rows:
        narrowed = entities.for_member(filters, row.team_member_id)
        entry: dict[str, str] = {}
        if row.tickets_assigned:
            entry["tickets_assigned"] = links.tickets_url(narrowed)
        if row.tickets_resolved:
            entry["tickets_resolved"] = links.tickets_url(narrowed, status=links.CLOSED)
        if row.avg_resolution_hours is not None:
            entry["avg_resolution_hours"] = links.tickets_url(narrowed, status=links.CLOSED)
        if row.avg_rating is not None:
            entry["avg_rating"] = links.tickets_url(narrowed, rating=links.RATED)
        found[row.team_member_id] = entry
    return found
