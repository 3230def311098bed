"""The OpenAPI document against the running app (in-process ASGI), as every role.

Schemathesis generates requests from /api/v1/openapi.json for every operation and checks each
response: no 5xx, a documented status, the documented content type, headers and body schema.
Bounded: a few derandomised examples per operation and role, so it runs in `make test`.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db.engine import Database
from tests.fixtures.auth import Persona, TestUser, open_session

EXAMPLES_PER_OPERATION = 8
ROLES: tuple[Persona, ...] = ("anonymous", "client_a", "agent", "manager", "admin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Generated for the anonymous caller only: ending or changing the caller's own session or
# password would change who the rest of the run is, and a signed-in event stream never ends
# (tests/live covers it).
ANONYMOUS_ONLY = {
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password"),
    ("GET", "/api/v1/events"),
}


def without_lifespan(app: FastAPI) -> ASGIApp:
    """The app for schemathesis, minus its lifespan: the `auth_app` fixture already runs it,
    and a second start would replace the app's pools (and leak the first ones' connections)
    for the rest of the process."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    return wrapped


def _cookie(database: Database, user: TestUser | None) -> dict[str, str]:
    """A fresh session without HTTP: the generated login attempts soon rate-limit the test
    client's address, and a session made here is not subject to that."""
    if user is None:
        return {}
    return {"Cookie": f"{COOKIE_NAME}={open_session(database, user)}"}


BOUNDS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.timeout(600)
def test_every_operation_conforms_for_every_role(
    auth_app: FastAPI, personas: dict[Persona, TestUser], owner_database: Database
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", without_lifespan(auth_app))
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) >= 20
    failures: list[str] = []
    for role in ROLES:
        user = None if role == "anonymous" else personas[role]
        headers = _cookie(owner_database, user)
        for operation in operations:
            if user is not None and (operation.method.upper(), operation.path) in ANONYMOUS_ONLY:
                continue
            strategy = operation.as_strategy()

            @BOUNDS
            @given(data=st.data())
            def check(data: st.DataObject) -> None:
                case = data.draw(strategy)  # noqa: B023 - run right below, in this iteration
                response = case.call(headers=headers)  # noqa: B023
                case.validate_response(response, checks=CHECKS)

            try:
                check()
            except Exception as exc:
                failures.append(f"{role} {operation.method.upper()} {operation.path}: {exc}")
            # An admin operation may have revoked the caller's own sessions.
            if user is not None:
                headers = _cookie(owner_database, user)
    assert not failures, "\n\n".join(failures)
