"""What a digest says, computed with the same analytics functions the API and the dashboard
call, inside a transaction running under the recipient's own request role: row-level security
decides which tickets count, so a client user's digest covers only its company's tickets.

Key numbers are the overview cards against the previous period; the biggest movers are the
ticket types whose counts changed most; SLA breaches (internal users only: the client portal
shows no SLA targets) are the tickets of the period past a target, worst first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from support_analytics.analytics import distribution, overview
from support_analytics.analytics.schemas import OverviewCards
from support_analytics.digests.schedule import Period
from support_analytics.filters import TicketFilters
from support_analytics.sla import state as sla_state

Unit = Literal["count", "hours", "rating", "pct"]
NUMBERS: tuple[tuple[str, str, Unit], ...] = (
    ("total_tickets", "New tickets", "count"),
    ("open_tickets", "Still open", "count"),
    ("avg_resolution_hours", "Mean resolution time", "hours"),
    ("csat_avg", "CSAT (mean rating)", "rating"),
    ("csat_satisfied_pct", "Satisfied (4-5 ratings)", "pct"),
)
MOVERS = 3
BREACHES_LISTED = 5


@dataclass(frozen=True)
class Number:
    key: str
    label: str
    unit: Unit
    current: float | None
    previous: float | None

    @property
    def change_pct(self) -> float | None:
        if self.current is None or not self.previous:
            return None
        return 100.0 * (self.current - self.previous) / self.previous


@dataclass(frozen=True)
class Mover:
    name: str
    current: int
    previous: int

    @property
    def delta(self) -> int:
        return self.current - self.previous


@dataclass(frozen=True)
class Breach:
    ticket_id: int
    title: str
    target: str
    due_at: datetime
    over_by_hours: float


@dataclass(frozen=True)
class Digest:
    period: Period
    previous_period: str | None
    filters: TicketFilters
    numbers: tuple[Number, ...]
    movers: tuple[Mover, ...]
    sla: bool
    breached: dict[str, int]
    breaches: tuple[Breach, ...]


def _value(cards: OverviewCards | None, key: str) -> float | None:
    if cards is None:
        return None
    value = getattr(cards, key)
    return None if value is None else float(value)


def _type_counts(
    session: Session, filters: TicketFilters, tz: ZoneInfo, use_rollups: bool | None
) -> dict[str, int]:
    chart = distribution.ticket_types_chart(session, filters, tz, use_rollups=use_rollups)
    return {row.name: row.count for row in chart.rows}


def compute(
    session: Session,
    filters: TicketFilters,
    period: Period,
    tz: ZoneInfo,
    *,
    internal: bool,
    use_rollups: bool | None,
) -> Digest:
    """`filters` already hold the period's date filter; `session` runs under the
    recipient's role. Clients read the raw tables (the rollups are internal-only)."""
    result = overview.overview(session, filters, tz, "previous", use_rollups=use_rollups)
    numbers = tuple(
        Number(key, label, unit, _value(result, key), _value(result.previous, key))
        for key, label, unit in NUMBERS
    )
    before = filters.previous_period()
    now_counts = _type_counts(session, filters, tz, use_rollups)
    then_counts = _type_counts(session, before, tz, use_rollups) if before else {}
    movers = sorted(
        (
            Mover(name, now_counts.get(name, 0), then_counts.get(name, 0))
            for name in now_counts.keys() | then_counts.keys()
        ),
        key=lambda m: (-abs(m.delta), m.name),
    )
    breached: dict[str, int] = {}
    listed: list[Breach] = []
    if internal:
        for target in sla_state.TARGETS:
            page = sla_state.breaches(
                session, filters, tz, which="breached", target=target, page_size=BREACHES_LISTED
            )
            breached[target] = page.total
            listed.extend(
                Breach(row.ticket_id, row.title, target, row.due_at, row.over_by_hours)
                for row in page.rows
            )
    listed.sort(key=lambda b: (-b.over_by_hours, b.ticket_id))
    return Digest(
        period=period,
        previous_period=result.previous_date,
        filters=filters,
        numbers=numbers,
        movers=tuple(m for m in movers if m.delta != 0)[:MOVERS],
        sla=internal,
        breached=breached,
        breaches=tuple(listed[:BREACHES_LISTED]),
    )
