"""`/metrics` in the Prometheus text format, with the standard `prometheus_client`.

- `support_analytics_request_duration_seconds{method, route, status}`: a histogram per route
  *template* (`/api/v1/tickets/{ticket_id}`, never the concrete path, so ids cannot blow up
  the label set; paths no route matched share `<unmatched>`). A live stream counts for as
  long as it stays open.
- `support_analytics_request_gate_in_use` / `_waiting` / `_slots`: the request gate
  (tenancy/gate.py), i.e. request-pool connections in use and requests queued for one.
- `support_analytics_sse_connections`: open live-update streams.
- `support_analytics_db_pool_in_use` / `_idle{pool="request"|"owner"}`: the SQLAlchemy pools'
  checked-out and idle connections, `pool="read"` too with a standby (requests queue at the
  gate, so "waiting" is the gate's).
- `support_analytics_events_delivered_total`: live events handed to open streams.
- `support_analytics_rollups_fresh`: 1 while the rollups are usable, 0 when dashboards fall
  back to the raw tables (read at scrape time; absent while the database is away).
- `support_analytics_job_queue_depth{queue, status}`: jobs waiting (`todo`) and running
  (`doing`) per job queue (read at scrape time; absent while the database is away).

The gauges are read from the app's state at scrape time. Each app has its own registry, so
two apps in one process (tests) never share or double-register series. `/metrics` is
answered only to clients in SUPPORT_ANALYTICS_METRICS_ALLOWED_NETWORKS (loopback by
default), judged by the client address the server resolved: the TCP peer, or the forwarded
one from a trusted proxy only (web/server_options.py); others get 403.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable, Iterator

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool
from starlette.datastructures import State
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from support_analytics import maintenance
from support_analytics.db.engine import is_unavailable
from support_analytics.errors import Forbidden, error_responses
from support_analytics.jobs import queries as job_queries

router = APIRouter(tags=["ops"])

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNMATCHED = "<unmatched>"


def parse_networks(value: str) -> tuple[Network, ...]:
    """The setting's networks; a bad entry stops the app with a message naming it."""
    networks: list[Network] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"SUPPORT_ANALYTICS_METRICS_ALLOWED_NETWORKS: {part!r} is not an address or network"
            ) from exc
    return tuple(networks)


class _StateGauges(Collector):
    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        state = self.app.state
        gate = getattr(state, "request_gate", None)
        if gate is not None:
            for name, value, doc in (
                ("in_use", gate.in_use, "Request-pool connections held by requests now."),
                ("waiting", gate.waiting, "Requests queued for a request-pool connection."),
                ("slots", gate.slots, "Request-pool connections (POOL_SIZE)."),
            ):
                yield GaugeMetricFamily(f"support_analytics_request_gate_{name}", doc, value=value)
        streams = getattr(state, "live_streams", None)
        if streams is not None:
            yield GaugeMetricFamily(
                "support_analytics_sse_connections",
                "Open live-update (SSE) streams.",
                value=streams.open_streams,
            )
        yield from _pools(state)
        hub = getattr(state, "live_hub", None)
        if hub is not None:
            delivered = CounterMetricFamily(
                "support_analytics_events_delivered",
                "Live events handed to open streams (one per stream per event).",
            )
            delivered.add_metric([], hub.delivered)
            yield delivered
        yield from _rollups(state)
        yield from _job_queue(state)


def _pools(state: State) -> Iterator[Metric]:
    """Connections of each SQLAlchemy pool: `request` (the authenticator's, one per gate
    slot; requests wait at the gate, not here), `owner` (sign-in, maintenance) and `read`
    (the standby's, with SUPPORT_ANALYTICS_DATABASE_READ_URL)."""
    in_use = GaugeMetricFamily(
        "support_analytics_db_pool_in_use", "Pooled connections checked out now.", labels=["pool"]
    )
    idle = GaugeMetricFamily(
        "support_analytics_db_pool_idle", "Pooled connections open and idle.", labels=["pool"]
    )
    standby = getattr(state, "standby", None)
    databases = {
        "request": getattr(state, "request_database", None),
        "owner": getattr(state, "database", None),
        "read": standby.database if standby is not None else None,
    }
    for name, database in databases.items():
        pool = database.engine.pool if database is not None else None
        if isinstance(pool, QueuePool):
            in_use.add_metric([name], pool.checkedout())
            idle.add_metric([name], pool.checkedin())
    yield in_use
    yield idle


def _rollups(state: State) -> Iterator[Metric]:
    """1 while the analytics rollups are fresh and bucketed in the reporting zone, 0 when
    they are stale (every dashboard then reads the raw tables: correct, slow). Read at scrape
    time on the owner pool; left out while the database is away."""
    database = getattr(state, "database", None)
    settings = getattr(state, "settings", None)
    if database is None or settings is None:
        return
    try:
        with database.sessions() as session:
            fresh = maintenance.rollups_ready(session, settings.reporting_timezone)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        return
    yield GaugeMetricFamily(
        "support_analytics_rollups_fresh",
        "1: analytics rollups fresh and in the reporting zone; 0: stale (raw-table reads).",
        value=1 if fresh else 0,
    )


def _job_queue(state: State) -> Iterator[Metric]:
    """Jobs waiting and running per procrastinate queue (read at scrape time on the owner
    pool; left out while the database is away)."""
    database = getattr(state, "database", None)
    if database is None:
        return
    try:
        depth = job_queries.queue_depth(database)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        return
    gauge = GaugeMetricFamily(
        "support_analytics_job_queue_depth",
        "Jobs not finished yet: waiting (status todo) and running (doing), per queue.",
        labels=["queue", "status"],
    )
    for (queue, status), count in sorted(depth.items()):
        gauge.add_metric([queue, status], count)
    yield gauge


class Metrics:
    def __init__(self, app: FastAPI, allowed: Iterable[Network]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.allowed = tuple(allowed)
        self.latency = Histogram(
            "support_analytics_request_duration_seconds",
            "Time from request to the end of the response, per route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.registry.register(_StateGauges(app))

    def allows(self, host: str | None) -> bool:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in network for network in self.allowed)


class RequestTiming:
    """Pure ASGI (no buffering of streamed responses); the route is known only after the
    router matched it, so it is read from the scope once the app returns."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # an exception that escapes before a response started

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", UNMATCHED) if isinstance(route, BaseRoute) else None
            self.metrics.latency.labels(
                scope["method"], template if isinstance(template, str) else UNMATCHED, str(status)
            ).observe(time.perf_counter() - started)


def install(app: FastAPI, allowed_networks: str) -> None:
    metrics = Metrics(app, parse_networks(allowed_networks))
    app.state.metrics = metrics
    app.add_middleware(RequestTiming, metrics=metrics)
    app.include_router(router)


@router.get("/metrics", responses=error_responses(403), include_in_schema=False)
def metrics_endpoint(request: Request) -> Response:
    """Prometheus text format; only for clients in the allowed networks."""
    metrics: Metrics = request.app.state.metrics
    if not metrics.allows(request.client.host if request.client else None):
        raise Forbidden("/metrics is not open to this address")
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
