"""The performance benchmark: p50/p95 per endpoint over random filter bars, beside the same
answers computed by plain SQL over the raw tables (`baseline`) in the same run.

The product side is measured either end to end (a `Measure` that sends the HTTP request a
browser would send, through the session lookup and row-level security) or, without one, by
calling the widget functions in one owner transaction each (server side, no HTTP, no RLS)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from support_analytics.analytics.baseline import READERS, Widget
from support_analytics.analytics.tables import team_members, ticket_types, tickets
from support_analytics.filters import TicketFilters
from support_analytics.filters.grammar import DateFilter, SetFilter, SetOp
from support_analytics.tickets.status import Priority

Progress = Callable[[int, int], None]
Measure = Callable[[str], float]
"""Send one request for a path (`/api/v1/...?query`) and return its milliseconds."""
T = TypeVar("T")
ANALYTICS_PATH = "/api/v1/analytics/"


@dataclass(frozen=True)
class Dimensions:
    """What random filters draw from: the data's date span and the existing ids."""

    first_day: date
    last_day: date
    member_ids: tuple[int, ...]
    type_ids: tuple[int, ...]


def count_tickets(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(tickets)).scalar_one())


def dimensions(session: Session, tz: ZoneInfo) -> Dimensions:
    first, last = session.execute(
        select(func.min(tickets.c.created_at), func.max(tickets.c.created_at))
    ).one()
    today = datetime.now(UTC).date()
    members = tuple(int(i) for i in session.execute(select(team_members.c.id)).scalars())
    types = tuple(int(i) for i in session.execute(select(ticket_types.c.id)).scalars())
    return Dimensions(
        first_day=first.astimezone(tz).date() if first else today,
        last_day=last.astimezone(tz).date() if last else today,
        member_ids=members or (1,),
        type_ids=types or (1,),
    )


def _set_filter(rng: random.Random, values: list[T]) -> SetFilter[T]:
    op = rng.choice(list(SetOp))
    count = 1 if op in (SetOp.IS, SetOp.IS_NOT) else rng.randint(1, min(4, len(values)))
    return SetFilter(op, tuple(rng.sample(values, count)))


def random_filters(rng: random.Random, dims: Dimensions) -> TicketFilters:
    """Date in 70 % of bars (a range of 1-120 days, or open-ended), each other filter in 30 %."""
    date_filter = None
    if rng.random() < 0.7:
        span = max((dims.last_day - dims.first_day).days, 1)
        start = dims.first_day + timedelta(days=rng.randrange(span))
        end = start + timedelta(days=rng.randrange(120))
        date_filter = rng.choice(
            (
                DateFilter.on(start),
                DateFilter.between(start, end),
                DateFilter.on_or_after(start),
                DateFilter.on_or_before(end),
            )
        )
    members: list[int | None] = [*dims.member_ids, None]
    return TicketFilters(
        date=date_filter,
        team_member=_set_filter(rng, members) if rng.random() < 0.3 else None,
        ticket_type=_set_filter(rng, list(dims.type_ids)) if rng.random() < 0.3 else None,
        priority=_set_filter(rng, list(Priority)) if rng.random() < 0.3 else None,
    )


@dataclass
class Timings:
    product_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)


class EndpointResult(BaseModel):
    p50_ms: float
    p95_ms: float
    baseline_p50_ms: float | None
    baseline_p95_ms: float | None
    speedup: float | None
    """Baseline p50 over product p50; the three are None when the baseline was not run."""


def percentile(values: list[float], q: float) -> float:
    """Continuous percentile (as percentile_cont), q in [0, 1]."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _timed(session: Session, widget: Widget, filters: TicketFilters, tz: ZoneInfo) -> float:
    started = time.perf_counter()
    widget(session, filters, tz, datetime.now(UTC))
    elapsed = (time.perf_counter() - started) * 1000
    session.rollback()  # one transaction per call, as a request has
    return elapsed


def analytics_url(endpoint: str, filters: TicketFilters) -> str:
    """The address a browser asks for: the endpoint (which may carry its own parameters,
    `sla/breakdown?by=client`) under the filter bar's query string."""
    query = filters.to_query_string()
    if not query:
        return f"{ANALYTICS_PATH}{endpoint}"
    return f"{ANALYTICS_PATH}{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def run(
    session: Session,
    tz: ZoneInfo,
    *,
    rounds: int,
    seed: int = 42,
    warm_up: int = 1,
    baseline: bool = True,
    progress: Progress | None = None,
    http: Measure | None = None,
    probes: Mapping[str, str] | None = None,
    endpoints: Sequence[str] | None = None,
) -> dict[str, EndpointResult]:
    """`rounds` random filter bars; each endpoint answers each bar through the product and
    through the baseline, alternately, after `warm_up` unmeasured bars (drawn from the next
    seed, so the measured bars are those of `seed` whatever the warm-up): the product answers
    them all, reading the pages a running deployment keeps in memory, the baseline the first.
    With `http` the product is the HTTP request for `analytics_url(endpoint, bar)`, and each
    of `probes` (name -> path, say `/healthz`) is requested once per round too, with no
    baseline.
    Without `baseline` only the product runs: on data larger than memory the baseline's full
    scans evict the rollups' pages between product calls, which then measure the disk as
    much as the query. `endpoints` (names of `READERS`) measures those only; the bars drawn
    are the same whichever are measured."""
    names = list(READERS) if endpoints is None else [n for n in READERS if n in endpoints]
    rng = random.Random(seed)  # noqa: S311 - reproducible filter bars, not secrets
    dims = dimensions(session, tz)
    session.rollback()
    probes = probes or {}

    def product(name: str, filters: TicketFilters) -> float:
        if http is not None:
            return http(analytics_url(name, filters))
        return _timed(session, READERS[name].product, filters, tz)

    def probe(path: str) -> float:
        if http is None:
            raise ValueError("probes are HTTP requests: pass `http` too")
        return http(path)

    timings = {name: Timings() for name in [*names, *probes]}
    total = (warm_up + rounds) * (len(names) + len(probes))
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    warm_rng = random.Random(seed + 1)  # noqa: S311 - as above
    for index in range(warm_up):
        bar = random_filters(warm_rng, dims)
        for name in names:
            product(name, bar)
            if baseline and index == 0:
                _timed(session, READERS[name].raw, bar, tz)
            step()
        for path in probes.values():
            probe(path)
            step()
    for _ in range(rounds):
        filters = random_filters(rng, dims)
        for name in names:
            timings[name].product_ms.append(product(name, filters))
            if baseline:
                timings[name].baseline_ms.append(_timed(session, READERS[name].raw, filters, tz))
            step()
        for name, path in probes.items():
            timings[name].product_ms.append(probe(path))
            step()
    return {name: summarise(t) for name, t in timings.items()}


def summarise(t: Timings) -> EndpointResult:
    p50 = percentile(t.product_ms, 0.5)
    p95 = round(percentile(t.product_ms, 0.95), 2)
    if not t.baseline_ms:
        return EndpointResult(
            p50_ms=round(p50, 2),
            p95_ms=p95,
            baseline_p50_ms=None,
            baseline_p95_ms=None,
            speedup=None,
        )
    base50 = percentile(t.baseline_ms, 0.5)
    return EndpointResult(
        p50_ms=round(p50, 2),
        p95_ms=p95,
        baseline_p50_ms=round(base50, 2),
        baseline_p95_ms=round(percentile(t.baseline_ms, 0.95), 2),
        speedup=round(base50 / p50, 1) if p50 else 0.0,
    )
