"""X-Request-ID: accepted when safe, replaced when not, generated when absent, returned on
every response and written into the log lines of the request."""

from __future__ import annotations

import logging
import logging.config

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse

from support_analytics.web import request_id, server_options

RESET_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"support_analytics": {"handlers": [], "level": "NOTSET"}},
}


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/logs")
    def logs(request: Request) -> PlainTextResponse:
        logging.getLogger("support_analytics.test").warning("inside the request")
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/logs", "1.1", 200
        )
        return PlainTextResponse(request.state.request_id)

    @app.get("/stream")
    def stream() -> StreamingResponse:
        return StreamingResponse(iter([b"a", b"b"]), media_type="text/plain")

    request_id.install(app)
    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(_app())


def test_a_safe_id_is_echoed_and_seen_by_the_app(client: TestClient) -> None:
    given = "Proxy-1.abc_DEF-" + "x" * 48  # 64 characters
    response = client.get("/logs", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] == given
    assert response.text == given


@pytest.mark.parametrize(
    "given", ["y" * 65, "has space", "semi;colon", "<script>", "", "é-accent".encode(), "a/b"]
)
def test_an_unsafe_id_is_replaced(client: TestClient, given: str | bytes) -> None:
    raw = given if isinstance(given, bytes) else given.encode()
    response = client.get("/logs", headers=[(b"X-Request-ID", raw)])
    returned = response.headers["X-Request-ID"]
    assert returned.encode() != raw
    assert request_id.accepted(returned) == returned


def test_an_id_is_generated_when_absent_and_differs_per_request(client: TestClient) -> None:
    first = client.get("/logs").headers["X-Request-ID"]
    second = client.get("/stream").headers["X-Request-ID"]
    assert len(first) == 32
    assert first != second
    assert request_id.current.get() == request_id.NO_REQUEST


def test_access_and_app_log_lines_carry_the_id(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.config.dictConfig(server_options.log_config())
    try:
        client.get("/logs", headers={"X-Request-ID": "trace-42"})
        captured = capsys.readouterr()
    finally:
        logging.config.dictConfig(RESET_LOGGING)
    assert "[trace-42]" in captured.out  # access log (stdout)
    assert "[trace-42] inside the request" in captured.err  # the app's own logger
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    request_id.RequestIdFilter().filter(outside)
    assert getattr(outside, "request_id", None) == "-"


def test_every_response_of_the_app_carries_it(
    auth_app: FastAPI,
) -> None:
    client = TestClient(auth_app, raise_server_exceptions=False)  # lifespan already running
    for path, status in [("/healthz", 200), ("/api/v1/nope", 404), ("/api/v1/tickets", 401)]:
        response = client.get(path, headers={"X-Request-ID": f"check{status}"})
        assert response.status_code == status
        assert response.headers["X-Request-ID"] == f"check{status}"
