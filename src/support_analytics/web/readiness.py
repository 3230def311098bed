"""`/readyz`: whether this process should be sent traffic, beside `/healthz` (whether it is
alive and can reach the database at all).

Ready means: the database answers on the request pool (through the request gate, like
`/healthz`), the schema's migrations are at every head (else new code would meet an old
schema: run `db upgrade`), and the analytics rollups are fresh and bucketed in the configured
reporting zone (else every dashboard reads the raw tables, correct but slow). Otherwise 503
JSON naming the first failing check, with Retry-After. Checks after a failed database check
are not run. The schema and rollup checks read on the owner pool (`alembic_version` is not
visible to the request roles), on a worker thread.
"""

from __future__ import annotations

from functools import partial
from typing import Literal

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from support_analytics import maintenance
from support_analytics.app_settings import AppSettings
from support_analytics.db import migrate
from support_analytics.db.engine import Database, is_unavailable, ping
from support_analytics.errors import RETRY_AFTER_HEADER, DatabaseUnavailable
from support_analytics.tenancy.gate import RequestGate

router = APIRouter(tags=["ops"])

HEALTH_WAIT_SECONDS = 1.0  # as /healthz's
UNREACHABLE = "the database is not reachable right now"
# Seconds a balancer should wait before asking again, per failing check: an upgrade or a
# rollup rebuild takes longer than a database blip.
RETRY_AFTER = {"migrations": 30, "rollups": 10}


class Readiness(BaseModel):
    """The body of both answers: a balancer reads `status`, an operator `failing` and the
    message of each check (the checks after a failed database check are absent)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ready", "not_ready"]
    failing: Literal["database", "migrations", "rollups"] | None = None
    checks: dict[str, str]


def _schema_and_rollups(database: Database, timezone: str) -> dict[str, str]:
    checks = {
        "migrations": "ok"
        if migrate.is_current(database.engine, database.url)
        else "not at head: run `support-analytics db upgrade`"
    }
    with database.sessions() as session:
        fresh = maintenance.rollups_ready(session, timezone)
    checks["rollups"] = (
        "ok" if fresh else f"stale or not bucketed in {timezone}: restart to rebuild them"
    )
    return checks


def _not_ready(failing: str, checks: dict[str, str], retry_after: int) -> JSONResponse:
    return JSONResponse(
        {"status": "not_ready", "failing": failing, "checks": checks},
        status_code=503,
        headers={"Retry-After": str(retry_after)},
    )


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={
        503: {
            "model": Readiness,
            "description": "Not ready: `failing` names the first check that failed",
            "headers": RETRY_AFTER_HEADER,
        }
    },
)
async def readyz(request: Request, settings: AppSettings) -> JSONResponse:
    """200 `{"status": "ready", "checks": {...}}` when the database answers, migrations are
    at head and the rollups are fresh; otherwise 503 JSON with Retry-After, `failing` naming
    the first check that failed."""
    gate: RequestGate = request.app.state.request_gate
    checks: dict[str, str] = {}
    try:
        async with gate.admitted(wait_seconds=HEALTH_WAIT_SECONDS):
            await gate.run(partial(ping, request.app.state.request_database))
        checks["database"] = "ok"
        checks |= await anyio.to_thread.run_sync(
            partial(_schema_and_rollups, request.app.state.database, settings.reporting_timezone)
        )
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        away = exc if isinstance(exc, DatabaseUnavailable) else DatabaseUnavailable(UNREACHABLE)
        checks["database"] = away.message
        return _not_ready("database", checks, away.retry_after)
    for name in ("migrations", "rollups"):
        if checks[name] != "ok":
            return _not_ready(name, checks, RETRY_AFTER[name])
    return JSONResponse({"status": "ready", "checks": checks})
