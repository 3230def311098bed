"""Every string the API takes is bounded, the bound is in the OpenAPI document, and the server
enforces exactly that bound.

Walks /api/v1/openapi.json: each query, path and header parameter and each JSON body property
(nested objects and array items included) whose schema is a string must carry `maxLength`,
unless an `enum` bounds it. Then, for each bound, a value one character longer is sent (every
other required body field valid) and must be a 422 whose `fields` name that parameter: not a
500, and not accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from support_analytics.config import Settings
from support_analytics.web.app import create_app
from tests.fixtures.auth import ApiClientFactory

pytestmark = pytest.mark.timeout(600)

# Strings the server leaves unbounded in length: (method, path, parameter or body.property),
# each with its reason.
UNBOUNDED: frozenset[tuple[str, str, str]] = frozenset(
    # An SLA target in hours is a Decimal, which pydantic also takes as text: its value is
    # bounded (le=100000, four decimal places), its length only by the 1 MiB body cap.
    (method, "/api/v1/sla/policies", f"body.rules[].{field}")
    for method in ("PUT", "PATCH")
    for field in ("first_response_hours", "resolution_hours")
)

Json = dict[str, object]


def _object(value: object) -> Json:
    assert isinstance(value, dict), value
    return {str(key): item for key, item in value.items()}


def _list(value: object) -> list[object]:
    assert isinstance(value, list), value
    return value


@dataclass(frozen=True)
class ApiString:
    method: str
    path: str
    where: str  # "query", "path", "header" or "body"
    name: str  # the parameter, or the body property's dotted path
    schema: Json

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.method, self.path, f"body.{self.name}" if self.where == "body" else self.name)

    @property
    def max_length(self) -> int | None:
        value = self.schema.get("maxLength")
        return value if isinstance(value, int) else None

    @property
    def bounded(self) -> bool:
        """A maxLength, or a shape that bounds the length by itself: an enum, a date or time
        format, or an anchored pattern with no open-ended repetition (`^(json|csv)$`)."""
        pattern = self.schema.get("pattern")
        return (
            self.max_length is not None
            or "enum" in self.schema
            or self.schema.get("format") in ("date", "date-time", "time")
            or (
                isinstance(pattern, str)
                and pattern.startswith("^")
                and pattern.endswith("$")
                and not re.search(r"[*+]|\{\d*,\}", pattern)
            )
        )


class Spec:
    def __init__(self, document: Json) -> None:
        self.paths = _object(document["paths"])
        self.components = _object(_object(document.get("components", {})).get("schemas", {}))

    def resolve(self, schema: Json) -> Json:
        while isinstance(ref := schema.get("$ref"), str):
            schema = _object(self.components[ref.rsplit("/", 1)[1]])
        return schema

    def strings(self, schema: Json, name: str) -> Iterator[tuple[str, Json]]:
        """(dotted name, string schema) for every string inside `schema`."""
        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf", "allOf"):
            for alternative in _list(schema.get(key, [])):
                yield from self.strings(_object(alternative), name)
        if schema.get("type") == "string":
            yield name, schema
        if isinstance(items := schema.get("items"), dict):
            yield from self.strings(_object(items), f"{name}[]")
        for key, sub in _object(schema.get("properties", {})).items():
            yield from self.strings(_object(sub), f"{name}.{key}" if name else key)

    def api_strings(self) -> list[ApiString]:
        found: list[ApiString] = []
        for path, operations in self.paths.items():
            for method, value in _object(operations).items():
                operation = _object(value)
                for parameter in map(_object, _list(operation.get("parameters", []))):
                    where, pname = str(parameter["in"]), str(parameter["name"])
                    for name, string in self.strings(_object(parameter["schema"]), pname):
                        found.append(ApiString(method.upper(), path, where, name, string))
                if body := operation.get("requestBody"):
                    for media in _object(_object(body)["content"]).values():
                        for name, string in self.strings(_object(_object(media)["schema"]), ""):
                            found.append(ApiString(method.upper(), path, "body", name, string))
        return found

    def body_schema(self, method: str, path: str) -> Json:
        operation = _object(_object(self.paths[path])[method.lower()])
        content = _object(_object(operation["requestBody"])["content"])
        return self.resolve(_object(_object(content["application/json"])["schema"]))

    def valid(self, schema: Json) -> object:
        """A small value the schema accepts (only required properties of objects)."""
        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf", "allOf"):
            if alternatives := _list(schema.get(key, [])):
                return self.valid(_object(alternatives[0]))
        if enum := _list(schema.get("enum", [])):
            return enum[0]
        kind = schema.get("type")
        if kind == "object":
            properties = _object(schema.get("properties", {}))
            return {
                str(name): self.valid(_object(properties[str(name)]))
                for name in _list(schema.get("required", []))
            }
        if kind == "array":
            minimum = schema.get("minItems", 0)
            count = minimum if isinstance(minimum, int) else 0
            return [self.valid(_object(schema["items"])) for _ in range(max(count, 1))]
        if schema.get("format") == "email":
            return "someone@example.com"
        return {"integer": 1, "number": 1, "boolean": False}.get(str(kind), "a")


def _spec(app: FastAPI) -> Spec:
    return Spec(_object(app.openapi()))


def test_every_string_the_api_takes_has_a_max_length() -> None:
    # The document only: create_app connects nowhere until its lifespan starts.
    app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    strings = _spec(app).api_strings()
    assert len(strings) > 50  # the walk finds the API's strings (it did not silently stop)
    missing = sorted(string.key for string in strings if not string.bounded)
    assert [key for key in missing if key not in UNBOUNDED] == []
    assert sorted(UNBOUNDED - set(missing)) == []  # nothing allowed that is bounded after all


def _set(body: Json, dotted: str, value: str) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        body = _object(body[part])
    body[last] = value


def _concrete(path: str) -> str:
    # Every id in a path is an integer; 1 exists for each kind in the test database, and
    # a 422 for the bounded field comes before any lookup anyway.
    parts = path.split("/")
    return "/".join("1" if part.startswith("{") else part for part in parts)


def test_one_character_over_each_max_length_is_a_422_naming_the_field(
    auth_app: FastAPI, api_client_factory: ApiClientFactory
) -> None:
    spec = _spec(auth_app)
    admin, client = api_client_factory("admin"), api_client_factory("client_a")
    strings = [s for s in spec.api_strings() if s.max_length is not None and "[]" not in s.name]
    assert strings
    wrong: list[str] = []
    for string in strings:
        assert string.max_length is not None
        too_long = "a" * (string.max_length + 1)
        url = _concrete(string.path)
        params: dict[str, str] = {}
        headers: dict[str, str] = {}
        body: Json | None = None
        if string.where == "query":
            params[string.name] = too_long
        elif string.where == "header":
            headers[string.name] = too_long
        elif string.where == "body":
            body = _object(spec.valid(spec.body_schema(string.method, string.path)))
            _set(body, string.name, too_long)
        if string.where == "path":
            continue  # every path parameter is an integer today; the walk would show it
        for caller in (admin, client):  # who may call it: the role check comes first
            response = caller.request(string.method, url, params=params, headers=headers, json=body)
            if response.status_code != 403:
                break
        named = string.name.rsplit(".", 1)[-1]
        fields = (
            [
                str(_object(f).get("name"))
                for f in _list(_object(response.json()["error"]).get("fields", []))
            ]
            if response.headers.get("content-type", "").startswith("application/json")
            and response.status_code == 422
            else []
        )
        if response.status_code != 422 or not any(
            name == named or name.endswith(f".{named}") for name in fields
        ):
            wrong.append(f"{string.key}: {response.status_code} {response.text[:200]}")
    assert wrong == []
