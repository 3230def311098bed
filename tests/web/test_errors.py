"""Non-API paths get readable HTML errors; /api keeps its JSON contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient

from support_analytics.config import Settings
from support_analytics.errors import Forbidden, Unauthenticated
from support_analytics.web.app import create_app
from tests.conftest import PgServer


@pytest.fixture(scope="module")
def module_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    with pg_server.scratch_database("sa_web", template=template_database) as url:
        yield url


@pytest.fixture(scope="module")
def client(module_database: str) -> Iterator[TestClient]:
    app: FastAPI = create_app(Settings(database_url=module_database))

    @app.get("/_test/forbidden")
    def forbidden_page() -> None:
        raise Forbidden("managers only")

    @app.get("/api/v1/_test/forbidden")
    def forbidden_api() -> None:
        raise Forbidden("managers only")

    @app.get("/_test/private")
    def private_page() -> None:
        raise Unauthenticated("sign in")

    @app.get("/_test/number")
    def number_page(n: int = Query()) -> dict[str, int]:
        return {"n": n}

    @app.get("/_test/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    @app.get("/api/v1/_test/boom")
    def boom_api() -> None:
        raise RuntimeError("kaboom")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_page_404_is_html(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text


def test_api_404_is_json(client: TestClient) -> None:
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


def test_app_error_on_a_page_is_html_with_its_message(client: TestClient) -> None:
    response = client.get("/_test/forbidden")
    assert response.status_code == 403
    assert "You don&#39;t have access to this page" in response.text
    assert "managers only" in response.text


def test_app_error_on_the_api_is_the_json_contract(client: TestClient) -> None:
    response = client.get("/api/v1/_test/forbidden")
    assert response.status_code == 403
    assert response.json() == {"error": {"code": "forbidden", "message": "managers only"}}


def test_unauthenticated_page_redirects_to_login_with_next(client: TestClient) -> None:
    response = client.get("/_test/private?a=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2F_test%2Fprivate%3Fa%3D1"


def test_unauthenticated_htmx_request_redirects_the_whole_page(client: TestClient) -> None:
    response = client.get("/_test/private", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_validation_error_on_a_page_is_a_readable_422(client: TestClient) -> None:
    response = client.get("/_test/number?n=abc")
    assert response.status_code == 422
    assert "not valid" in response.text
    assert "n:" in response.text


def test_htmx_requests_get_only_the_fragment(client: TestClient) -> None:
    response = client.get("/nowhere", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "<html" not in response.text
    assert 'role="alert"' in response.text


def test_unexpected_errors_are_a_friendly_500(client: TestClient) -> None:
    page = client.get("/_test/boom")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.text
    api = client.get("/api/v1/_test/boom")
    assert api.status_code == 500
    assert api.json()["error"]["code"] == "internal_error"
