"""The request body cap (issue 12 item 4): 413 before parsing, whether the body declares its
length or arrives chunked, and the refused value is never echoed."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from support_analytics.web.limits import BodyLimit

LIMIT = 4096


def _app(seen: list[int]) -> FastAPI:
    app = FastAPI()
    app.add_middleware(BodyLimit, max_bytes=LIMIT)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        body = await request.body()
        seen.append(len(body))
        return {"bytes": len(body)}

    @app.post("/json")
    def parsed(payload: dict[str, str]) -> dict[str, int]:
        seen.append(len(payload))
        return {"keys": len(payload)}

    return app


def _chunks(total: int, size: int = 1000) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b"x" * piece


def test_bodies_up_to_the_limit_pass() -> None:
    seen: list[int] = []
    with TestClient(_app(seen)) as client:
        assert client.post("/echo", content=b"x" * LIMIT).json() == {"bytes": LIMIT}
        assert client.post("/echo", content=_chunks(LIMIT)).json() == {"bytes": LIMIT}
    assert seen == [LIMIT, LIMIT]


def test_a_declared_length_over_the_limit_is_413_before_the_handler_runs() -> None:
    seen: list[int] = []
    with TestClient(_app(seen)) as client:
        response = client.post("/echo", content=b"x" * (LIMIT + 1))
        parsed = client.post(
            "/json",
            content=b'{"password": "' + b"s" * LIMIT + b'"}',
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == parsed.status_code == 413
    assert "sss" not in parsed.text
    assert seen == []


def test_a_chunked_body_over_the_limit_is_413() -> None:
    seen: list[int] = []
    with TestClient(_app(seen)) as client:
        response = client.post("/echo", content=_chunks(LIMIT * 4))
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert seen == []


def test_the_app_refuses_a_large_login_body(auth_app: FastAPI) -> None:
    """The real app with its default 1 MiB cap: a 2 MiB JSON login is 413 in the one error
    shape, and the password is not in the answer."""
    secret = "p" * (2 * 1_048_576)
    client = TestClient(auth_app, raise_server_exceptions=False)  # lifespan already entered
    response = client.post(
        "/api/v1/auth/login", json={"email": "a@example.com", "password": secret}
    )
    small = client.post(
        "/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 1000}
    )
    assert response.status_code == 413, response.text[:300]
    assert response.json()["error"]["code"] == "payload_too_large"
    assert "ppp" not in response.text
    assert small.status_code == 401
