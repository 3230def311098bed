"""The OpenAPI document states the error contract: every documented 4xx/5xx under /api is
the one ErrorBody, the filter grammar is a pattern, and bounded strings say so."""

from __future__ import annotations

import re

from support_analytics.config import Settings
from support_analytics.web.app import create_app

FILTERS = ("date", "team_member", "ticket_type", "priority")


def dig(node: object, *keys: str) -> object:
    for key in keys:
        assert isinstance(node, dict), (key, node)
        node = node[key]
    return node


def mapping(node: object) -> dict[str, object]:
    assert isinstance(node, dict)
    return {str(k): v for k, v in node.items()}


def _operations() -> list[tuple[str, str, dict[str, object]]]:
    app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    paths = mapping(app.openapi()["paths"])
    return [
        (method, path, mapping(operation))
        for path, operations in paths.items()
        for method, operation in mapping(operations).items()
        if path.startswith("/api/")
    ]


def test_every_error_response_is_the_one_error_body() -> None:
    wrong = []
    for method, path, operation in _operations():
        for status, response in mapping(operation["responses"]).items():
            if status[0] in "45" and "ErrorBody" not in str(dig(response, "content")):
                wrong.append((method, path, status))
    assert wrong == []


def test_operations_document_their_errors() -> None:
    responses = {(m, p): mapping(op["responses"]) for m, p, op in _operations()}
    assert {"401", "403", "422", "503"} <= set(responses["get", "/api/v1/analytics/overview"])
    assert {"401", "404", "409", "422", "503"} <= set(
        responses["patch", "/api/v1/tickets/{ticket_id}"]
    )
    login = responses["post", "/api/v1/auth/login"]
    assert {"401", "422", "429", "503"} <= set(login)
    assert "Retry-After" in str(login["429"])
    assert {"401", "503"} <= set(responses["get", "/api/v1/me"])


def test_filters_carry_their_grammar_and_a_length_bound() -> None:
    seen = 0
    for _, _, operation in _operations():
        parameters = operation.get("parameters", [])
        assert isinstance(parameters, list)
        for parameter in parameters:
            if dig(parameter, "name") in FILTERS:
                schema = dig(parameter, "schema")
                assert "maxLength" in str(schema), parameter
                pattern = dig(schema, "pattern")
                assert isinstance(pattern, str)
                re.compile(pattern)
                seen += 1
    assert seen >= 4 * 10
