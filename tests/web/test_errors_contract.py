"""The error contract under /api: one body shape for every 4xx and 5xx, one code for invalid
input with the fields named and the values never repeated, headers carried by the error
itself, every handler registered in one place, and a 405 that lists every allowed method."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException

from support_analytics.config import Settings
from support_analytics.errors import AppError, DatabaseUnavailable, TooManyRequests, error_body
from support_analytics.web import errors as web_errors
from support_analytics.web.app import create_app
from tests.fixtures.auth import ApiClientFactory

SECRET = "Sekrit-Value-4711"


def assert_contract(response_json: object, *, status: int) -> dict[str, object]:
    """The one shape: {"error": {"code": str, "message": str[, "fields": [...]]}}."""
    assert isinstance(response_json, dict), response_json
    assert set(response_json) == {"error"}, (status, response_json)
    error = response_json["error"]
    assert isinstance(error, dict)
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["message"]
    assert set(error) <= {"code", "message", "fields"}, error
    if status == 422:
        assert error["code"] == "invalid_input", error
        fields = error["fields"]
        assert isinstance(fields, list)
        assert fields
        for field in fields:
            assert set(field) == {"name", "message"}, field
            assert field["name"]
    return error


def test_every_api_error_has_the_same_shape(api_client_factory: ApiClientFactory) -> None:
    anonymous = api_client_factory("anonymous")
    agent = api_client_factory("agent")
    client = api_client_factory("client_a")
    cases = [
        (anonymous.get("/api/v1/me"), 401),
        (client.get("/api/v1/analytics/overview"), 403),
        (agent.get("/api/v1/nowhere"), 404),
        (agent.get("/api/v1/tickets/999999999"), 404),
        (agent.delete("/api/v1/tickets/1"), 405),
        # Framework validation (a typed query parameter), the filter grammar, an unknown
        # parameter, the list parameters, and a body naming something that does not exist:
        (agent.get("/api/v1/tickets?page=abc"), 422),
        (agent.get("/api/v1/analytics/overview?priority=is:whenever"), 422),
        (agent.get("/api/v1/analytics/overview?colour=red"), 422),
        (agent.get("/api/v1/tickets?status=sleeping"), 422),
        (agent.patch("/api/v1/tickets/1", json={"assigned_to": 999999}), 422),
        (
            client.post(
                "/api/v1/tickets",
                content=b'{"title": "x",',
                headers={"Content-Type": "application/json"},
            ),
            422,
        ),
    ]
    codes_422: set[object] = set()
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert response.headers["content-type"].startswith("application/json")
        error = assert_contract(response.json(), status=status)
        if status == 422:
            codes_422.add(error["code"])
    assert codes_422 == {"invalid_input"}


def test_invalid_input_names_the_field(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    client = api_client_factory("client_a")
    names = {
        "/api/v1/tickets?page=abc": "page",
        "/api/v1/analytics/overview?priority=is:whenever": "priority",
        "/api/v1/analytics/overview?colour=red": "colour",
        "/api/v1/tickets?status=sleeping": "status",
    }
    for url, name in names.items():
        error = agent.get(url).json()["error"]
        assert [f["name"] for f in error["fields"]] == [name], (url, error)
    malformed = client.post(
        "/api/v1/tickets", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert malformed.json()["error"]["fields"][0]["name"] == "body"
    patch = agent.patch("/api/v1/tickets/1", json={"assigned_to": 999999})
    assert patch.json()["error"]["fields"][0]["name"] == "assigned_to"


def test_validation_errors_never_repeat_the_submitted_values(
    api_client_factory: ApiClientFactory,
) -> None:
    anonymous = api_client_factory("anonymous")
    client = api_client_factory("client_a")
    bodies = [
        {"email": SECRET, "password": {"nested": SECRET}},
        {"email": ["@", SECRET], "password": SECRET},
    ]
    for body in bodies:
        response = anonymous.post("/api/v1/auth/login", json=body)
        assert response.status_code == 422, response.text
        assert SECRET not in response.text
        assert_contract(response.json(), status=422)
    ticket = client.post(
        "/api/v1/tickets",
        json={"title": SECRET * 100, "ticket_type_id": SECRET, "priority": SECRET, "message": 1},
    )
    assert ticket.status_code == 422
    assert SECRET not in ticket.text
    # A lone surrogate cannot be encoded as UTF-8: echoing it back made the handler a 500.
    surrogate = anonymous.post(
        "/api/v1/auth/login",
        content=b'{"email": "\\ud800", "password": 5}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422, surrogate.text
    assert_contract(surrogate.json(), status=422)


def test_405_allows_every_method_of_the_path(api_client_factory: ApiClientFactory) -> None:
    agent = api_client_factory("agent")
    response = agent.delete("/api/v1/tickets/1")
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "PATCH"} <= allowed
    assert "DELETE" not in allowed
    assert agent.put("/api/v1/me").headers["allow"].replace(" ", "") in {"GET", "GET,HEAD"}


def _bare_app() -> FastAPI:
    app = FastAPI()
    web_errors.install(app)

    @app.get("/api/v1/_test/limited")
    def limited() -> None:
        raise TooManyRequests("slow down", retry_after=7)

    @app.get("/api/v1/_test/down")
    def down() -> None:
        raise DatabaseUnavailable("database unreachable", retry_after=3)

    return app


def test_errors_carry_their_headers_without_a_handler_of_their_own() -> None:
    with TestClient(_bare_app()) as client:
        limited = client.get("/api/v1/_test/limited")
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "7"
        assert limited.json() == {"error": {"code": "rate_limited", "message": "slow down"}}
        down = client.get("/api/v1/_test/down")
        assert down.status_code == 503
        assert down.headers["retry-after"] == "3"
        assert_contract(down.json(), status=503)


def test_every_handler_is_registered_once_in_one_place() -> None:
    app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    assert {k for k in app.exception_handlers if isinstance(k, type)} >= {
        AppError,
        HTTPException,
        RequestValidationError,
        Exception,
    }
    # No domain error needs its own handler: AppError's renders them all, headers included.
    specific = [
        k for k in app.exception_handlers if isinstance(k, type) and issubclass(k, AppError)
    ]
    assert specific == [AppError]
    # and the one AppError handler is web/errors.py's.
    assert app.exception_handlers[AppError] is web_errors.on_app_error
    assert json.loads(json.dumps(error_body("x", "y"))) == {"error": {"code": "x", "message": "y"}}
