"""The ASGI application: one factory, no work at import time."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from support_analytics import maintenance
from support_analytics.analytics import endpoints as analytics_endpoints
from support_analytics.analytics import entity_endpoints
from support_analytics.analytics import responsiveness_endpoints as frt_endpoints
from support_analytics.analytics.responsiveness import warm_statements
from support_analytics.auth import account as account_endpoints
from support_analytics.auth import admin_endpoints
from support_analytics.auth import endpoints as auth_endpoints
from support_analytics.config import Settings, get_settings
from support_analytics.db.engine import Database, connect, libpq_url, normalise_url, ping
from support_analytics.digests import endpoints as digest_endpoints
from support_analytics.errors import DatabaseUnavailable, error_responses
from support_analytics.jobs import endpoints as jobs_endpoints
from support_analytics.live import listener as live_listener
from support_analytics.live import sse as live_sse
from support_analytics.live.shutdown import chain_on_termination
from support_analytics.sla import endpoints as sla_endpoints
from support_analytics.tenancy import replica
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.gate import RequestGate
from support_analytics.tenancy.scope import unclaimed_transaction
from support_analytics.tickets import endpoints as tickets_endpoints
from support_analytics.views import endpoints as views_endpoints
from support_analytics.web import collector, metrics, outage, readiness, request_id, security
from support_analytics.web import docs as api_docs
from support_analytics.web import errors as web_errors
from support_analytics.web.limits import BodyLimit
from support_analytics.web.pages import admin as admin_pages
from support_analytics.web.pages import admin_sla as admin_sla_pages
from support_analytics.web.pages import alerts as alerts_pages
from support_analytics.web.pages import dashboard as dashboard_pages
from support_analytics.web.pages import dashboard_entities as entity_pages
from support_analytics.web.pages import dashboard_responsiveness, dashboard_sla
from support_analytics.web.pages import inbox as inbox_pages
from support_analytics.web.pages import login as login_pages
from support_analytics.web.pages import portal as portal_pages
from support_analytics.web.response_headers import ReadSourceHeader
from support_analytics.web.templating import STATIC_DIR

HEALTH_WAIT_SECONDS = 1.0

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(
    settings: Settings, url: str, collects: collector.Collector | None, app: FastAPI
) -> AsyncIterator[None]:
    database = connect(
        url, pool_size=settings.pool_size, pool_timeout=settings.pool_timeout_seconds
    )
    maintenance.at_startup(libpq_url(url), settings.reporting_timezone)
    app.state.database = database
    # Requests get their own pool on the authenticator login (tenancy/connection.py),
    # with no overflow: the gate admits exactly as many requests as it has connections.
    app.state.request_database = connect_for_requests(
        url,
        explicit_url=settings.request_database_url,
        pool_size=settings.pool_size,
        pool_timeout=settings.pool_timeout_seconds,
    )
    app.state.request_gate = RequestGate(
        settings.pool_size, wait_seconds=settings.request_queue_seconds
    )
    app.state.live_streams = live_sse.StreamRegistry.of(settings)
    # Analytics and list reads on a standby, with its own pool and gate (tenancy/replica.py).
    app.state.standby = (
        replica.connect_standby(
            settings.database_read_url,
            pool_size=settings.pool_size,
            pool_timeout=settings.pool_timeout_seconds,
            wait_seconds=settings.request_queue_seconds,
            max_lag=settings.read_max_lag_seconds,
        )
        if settings.database_read_url
        else None
    )
    if collects is not None and settings.prepare_statements:
        await asyncio.to_thread(_warm, app.state.request_database, settings)
    try:
        listen = live_listener.listen_conninfo(settings.listen_url, url)
        async with AsyncExitStack() as stack:
            hub = await stack.enter_async_context(live_listener.running(listen))
            if collects is not None:
                await stack.enter_async_context(collector.take_over(collects))
            app.state.live_hub = hub
            undo = chain_on_termination(asyncio.get_running_loop(), hub.close_streams)
            try:
                yield
            finally:
                hub.close_streams()
                undo()
    finally:
        database.engine.dispose()
        app.state.request_database.engine.dispose()
        if app.state.standby is not None:
            app.state.standby.dispose()


def _warm(database: Database, settings: Settings) -> None:
    """Build and compile the analytics statements kept per process before the first request
    (`warm_statements`), on the request pool, whose engine keeps the compiled forms. A
    failure only leaves that to the first requests."""
    started = time.perf_counter()
    try:
        with unclaimed_transaction(database) as session:
            count = warm_statements(session, ZoneInfo(settings.reporting_timezone))
    except (SQLAlchemyError, DatabaseUnavailable):
        log.warning("preparing the analytics statements failed", exc_info=True)
        return
    log.info("%d analytics statements prepared in %.2f s", count, time.perf_counter() - started)


def create_server_app() -> FastAPI:
    """The app `serve` runs: it collects garbage between requests (web/collector.py)."""
    return create_app(server=True)


def create_app(settings: Settings | None = None, *, server: bool = False) -> FastAPI:
    settings = settings or get_settings()
    if not settings.database_url:
        raise DatabaseUnavailable(
            "create_app needs DATABASE_URL; `support-analytics serve` sets it"
        )
    url = normalise_url(settings.database_url)

    collects = collector.Collector()
    app = FastAPI(
        title="support-analytics",
        version="0.1.0",
        lifespan=partial(_lifespan, settings, url, collects if server else None),
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # web/docs.py: Swagger UI from the vendored files
        redoc_url=None,
    )
    # The app's settings from its creation, not from start-up: an error page renders the
    # reader's zone from them even for a request served without the lifespan having run.
    app.state.settings = settings

    web_errors.install(app)  # every exception handler: JSON under /api, HTML pages elsewhere
    security.install(app)  # cross-site refusal, security headers
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # 413 before parsing
    outage.install(app)  # 503 for a database away, Connection: close on 5xx
    metrics.install(app, settings.metrics_allowed_networks)  # latency incl. those 503s
    app.add_middleware(ReadSourceHeader)  # X-Read-Source with a standby configured
    request_id.install(app)  # X-Request-ID on every response, even a 503
    # Outermost: a request runs from here until its last byte is sent.
    app.add_middleware(collector.CollectBetweenRequests, collector=collects)
    for router in (
        auth_endpoints.router,
        login_pages.router,
        admin_endpoints.router,
        admin_pages.router,
        admin_sla_pages.router,
        jobs_endpoints.router,
        jobs_endpoints.pages,
        views_endpoints.router,
        views_endpoints.pages,
        alerts_pages.routes,  # /api/v1/alerts and /alerts
        account_endpoints.routes,
        digest_endpoints.routes,
        tickets_endpoints.router,
        analytics_endpoints.router,
        entity_endpoints.router,
        frt_endpoints.router,
        sla_endpoints.router,
        sla_endpoints.breaches_router,
        live_sse.router,
        portal_pages.router,
        inbox_pages.router,
        dashboard_pages.router,
        dashboard_responsiveness.router,
        dashboard_sla.router,
        entity_pages.router,
        api_docs.router,
        readiness.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["ops"], responses=error_responses(503))
    async def healthz(request: Request) -> Response:
        """200 when a request could reach the database now: a slot of the request gate within
        a second and `SELECT 1` on the request pool. Otherwise 503 JSON with Retry-After
        (database away, or every connection busy), whatever the Accept header."""
        gate: RequestGate = request.app.state.request_gate
        database: Database = request.app.state.request_database
        try:
            async with gate.admitted(wait_seconds=HEALTH_WAIT_SECONDS):
                await gate.run(partial(ping, database))
        except DatabaseUnavailable as exc:
            body = {"status": "unavailable", "error": {"code": exc.code, "message": exc.message}}
            headers = {"Retry-After": str(exc.retry_after)}
            return JSONResponse(body, status_code=503, headers=headers)
        return JSONResponse({"status": "ok"})

    return app
