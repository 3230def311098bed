"""/readyz: ready only when the database answers, the migrations are at head and the rollups
are fresh; each failing check gives 503 with Retry-After and names itself."""

from __future__ import annotations

import psycopg
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from support_analytics.db.engine import libpq_url
from support_analytics.tenancy.connection import AUTHENTICATOR
from support_analytics.web.readiness import Readiness


def _owner(fresh_database: str, sql: str) -> None:
    with psycopg.connect(libpq_url(fresh_database), autocommit=True) as conn:
        conn.execute(sql.encode())


def _not_ready(auth_app: FastAPI, failing: str) -> dict[str, object]:
    response = TestClient(auth_app, raise_server_exceptions=False).get("/readyz")
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    body: dict[str, object] = response.json()
    assert body["status"] == "not_ready"
    assert body["failing"] == failing
    return body


def test_ready_when_every_check_passes(auth_app: FastAPI) -> None:
    response = TestClient(auth_app).get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "rollups": "ok"},
    }


def test_migrations_behind_head(auth_app: FastAPI, fresh_database: str) -> None:
    _owner(
        fresh_database, "DELETE FROM alembic_version; INSERT INTO alembic_version VALUES ('0002')"
    )
    body = _not_ready(auth_app, "migrations")
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert "db upgrade" in checks["migrations"]
    assert checks["database"] == "ok"


def test_stale_rollups(auth_app: FastAPI, fresh_database: str) -> None:
    _owner(fresh_database, "UPDATE analytics_rollup_state SET fresh = false")
    body = _not_ready(auth_app, "rollups")
    assert body["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "rollups": "stale or not bucketed in UTC: restart to rebuild them",
    }


def test_database_unreachable(auth_app: FastAPI, fresh_database: str) -> None:
    name = make_url(fresh_database).database
    # The request login may no longer connect (a full server looks the same: SQLSTATE 53300),
    # and its pooled connections are cut.
    _owner(fresh_database, f'ALTER DATABASE "{name}" CONNECTION LIMIT 0')
    _owner(
        fresh_database,
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE usename = '{AUTHENTICATOR}' AND datname = '{name}'",
    )
    body = _not_ready(auth_app, "database")
    assert body["checks"] == {"database": "the database is not reachable right now"}


def test_the_openapi_document_describes_the_not_ready_body(
    auth_app: FastAPI, fresh_database: str
) -> None:
    # A load balancer or a client generated from the OpenAPI reads the 503 body: it is the
    # readiness body (`failing` and `checks`), not the error body of the other endpoints.
    responses = auth_app.openapi()["paths"]["/readyz"]["get"]["responses"]
    ready = responses["200"]["content"]["application/json"]["schema"]
    not_ready = responses["503"]["content"]["application/json"]["schema"]
    assert not_ready == ready == {"$ref": "#/components/schemas/Readiness"}
    assert "Retry-After" in responses["503"]["headers"]
    _owner(fresh_database, "UPDATE analytics_rollup_state SET fresh = false")
    body = _not_ready(auth_app, "rollups")
    assert Readiness.model_validate(body).failing == "rollups"
    _owner(fresh_database, "UPDATE analytics_rollup_state SET fresh = true")
    ready_body = Readiness.model_validate(TestClient(auth_app).get("/readyz").json())
    assert (ready_body.status, ready_body.failing) == ("ready", None)
