"""The ASGI application: one factory, no work at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from support_analytics.analytics import endpoints as analytics_endpoints
from support_analytics.auth import admin_endpoints
from support_analytics.auth import endpoints as auth_endpoints
from support_analytics.config import Settings, get_settings
from support_analytics.db import maintenance
from support_analytics.db.engine import Database, connect, libpq_url, normalise_url
from support_analytics.errors import DatabaseUnavailable
from support_analytics.live import listener as live_listener
from support_analytics.live import sse as live_sse
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tickets import endpoints as tickets_endpoints
from support_analytics.web import errors as web_errors
from support_analytics.web import security
from support_analytics.web.limits import BodyLimit
from support_analytics.web.pages import admin as admin_pages
from support_analytics.web.pages import dashboard as dashboard_pages
from support_analytics.web.pages import inbox as inbox_pages
from support_analytics.web.pages import login as login_pages
from support_analytics.web.pages import portal as portal_pages
from support_analytics.web.templating import STATIC_DIR


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if not settings.database_url:
        raise DatabaseUnavailable(
            "create_app needs DATABASE_URL; `support-analytics serve` sets it"
        )
    url = normalise_url(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = connect(url, pool_size=settings.pool_size)
        maintenance.at_startup(libpq_url(url), settings.reporting_timezone)
        app.state.database = database
        app.state.settings = settings
        # Requests get their own pool on the authenticator login (tenancy/connection.py).
        app.state.request_database = connect_for_requests(
            url, explicit_url=settings.request_database_url, pool_size=settings.pool_size
        )
        try:
            async with live_listener.running(libpq_url(url)) as app.state.live_hub:
                yield
        finally:
            database.engine.dispose()
            app.state.request_database.engine.dispose()

    app = FastAPI(
        title="support-analytics",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )

    web_errors.install(app)  # every exception handler: JSON under /api, HTML pages elsewhere
    security.install(app)  # cross-site refusal, security headers
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # 413 before parsing
    app.include_router(auth_endpoints.router)
    app.include_router(login_pages.router)
    app.include_router(admin_endpoints.router)
    app.include_router(admin_pages.router)
    app.include_router(tickets_endpoints.router)
    app.include_router(analytics_endpoints.router)
    app.include_router(live_sse.router)
    app.include_router(portal_pages.router)
    app.include_router(inbox_pages.router)
    app.include_router(dashboard_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["ops"])
    def healthz(request: Request) -> dict[str, str]:
        """200 when the database answers; 503 otherwise."""
        try:
            with get_database(request).engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            raise DatabaseUnavailable("database unreachable") from exc
        return {"status": "ok"}

    return app
