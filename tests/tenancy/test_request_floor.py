"""The request floor (issue 13 item 3): a signed-in request that reads nothing costs one
statement - claim the token, resolve the session, switch role - and an anonymous request
without a session cookie costs none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from sqlalchemy import event

from support_analytics.db.engine import Database
from tests.fixtures.auth import ApiClientFactory


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_me_is_one_statement_and_anonymous_is_none(
    auth_app: FastAPI, api_client_factory: ApiClientFactory
) -> None:
    manager = api_client_factory("manager")
    anonymous = api_client_factory("anonymous")
    database: Database = auth_app.state.request_database
    manager.get("/api/v1/me")  # the session's sliding expiry is written on first use
    with _statements(database) as seen:
        assert manager.get("/api/v1/me").status_code == 200
    assert len(seen) == 1, seen
    with _statements(database) as seen:
        assert anonymous.get("/api/v1/me").status_code == 401
        assert anonymous.get("/api/v1/analytics/overview").status_code == 401
    assert seen == []


ANALYTICS_ENDPOINTS = (
    "overview",
    "tickets-over-time",
    "team-performance",
    "ticket-types",
    "priorities",
    "clients",
    "resolution-times",
    "overdue",
    "resolution-histogram",
    "team-members/3",
    "clients/2",
)
PAGES = (
    "/dashboard",
    "/dashboard/over-time",
    "/dashboard/team",
    "/dashboard/distribution",
    "/dashboard/clients",
    "/dashboard/resolution",
    "/dashboard/team/3",
    "/dashboard/clients/2",
)
# A date range with a previous period: the overview reads its cards twice.
BAR = "?date=between:2025-04-01,2025-06-30&priority=any_of:high,urgent"


def test_rollup_state_is_read_once_per_request(
    auth_app: FastAPI, api_client_factory: ApiClientFactory
) -> None:
    """Every analytics endpoint and dashboard view reads `analytics_rollup_state` once, however
    many widgets it calls (the state is a request dependency handed to each of them)."""
    manager = api_client_factory("manager")
    database: Database = auth_app.state.request_database
    manager.get("/api/v1/me")
    for path in (*(f"/api/v1/analytics/{e}" for e in ANALYTICS_ENDPOINTS), *PAGES):
        with _statements(database) as seen:
            assert manager.get(path + BAR).status_code == 200, path
        reads = [s for s in seen if "analytics_rollup_state" in s]
        assert len(reads) == 1, (path, len(seen), reads)
