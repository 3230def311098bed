"""Hostile input over HTTP (issue 12 item 7): every route x every bad value answers a 4xx naming
the parameter or field, never a 5xx, and a 422 never echoes a submitted password."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.auth import ApiClientFactory, Persona

ANALYTICS = (
    "overview",
    "tickets-over-time",
    "team-performance",
    "ticket-types",
    "priorities",
    "clients",
    "resolution-times",
    "overdue",
)
PAGES = (
    "/dashboard",
    "/dashboard/over-time",
    "/dashboard/team",
    "/dashboard/distribution",
    "/dashboard/clients",
    "/dashboard/resolution",
)
# (persona, path): every route that takes the filter bar, JSON, page and CSV.
FILTERED: tuple[tuple[Persona, str], ...] = (
    *(("manager", f"/api/v1/analytics/{name}") for name in ANALYTICS),
    *(("manager", f"/api/v1/analytics/{name}?format=csv") for name in ANALYTICS),
    *(("manager", page) for page in PAGES),
    ("agent", "/api/v1/tickets"),
    ("agent", "/api/v1/tickets?format=csv"),
    ("agent", "/tickets"),
    ("client_a", "/api/v1/tickets"),
)
FAR_DATES = (
    "on:9999-12-31",
    "on:0001-01-01",
    "between:0001-01-01,2025-01-01",
    "between:2025-01-01,9999-12-31",
    "on_or_after:9999-12-31",
    "on_or_before:0001-01-01",
    "on_or_after:1999-12-31",
    "on_or_before:2100-01-01",
)
TICKET_LISTS: tuple[tuple[Persona, str], ...] = (
    ("agent", "/api/v1/tickets"),
    ("agent", "/api/v1/tickets?format=csv"),
    ("agent", "/tickets"),
    ("client_a", "/api/v1/tickets"),
)


def _get(client: TestClient, path: str, params: dict[str, str]) -> tuple[int, str]:
    response = client.get(path, params=params)
    return response.status_code, response.text


@pytest.mark.parametrize("value", FAR_DATES)
@pytest.mark.parametrize(("persona", "path"), FILTERED)
def test_dates_outside_2000_2099_are_a_422_naming_date(
    api_client_factory: ApiClientFactory, persona: Persona, path: str, value: str
) -> None:
    status, body = _get(api_client_factory(persona), path, {"date": value})
    assert status == 422, (path, value, body[:300])
    assert "date" in body
    assert "2000-01-01" in body  # says what is accepted


@pytest.mark.parametrize("value", FAR_DATES)
@pytest.mark.parametrize(("persona", "path"), TICKET_LISTS)
def test_resolution_dates_outside_the_range_are_a_422(
    api_client_factory: ApiClientFactory, persona: Persona, path: str, value: str
) -> None:
    status, body = _get(api_client_factory(persona), path, {"resolved": value})
    assert status == 422, (path, value, body[:300])
    assert "resolved" in body


def test_the_range_ends_are_accepted(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    for value in ("on:2000-01-01", "on:2099-12-31", "between:2000-01-01,2099-12-31"):
        assert manager.get("/api/v1/analytics/overview", params={"date": value}).status_code == 200


# Unicode digits: str.isdigit() says yes, int() says no.
UNICODE_DIGITS = ("\u00b2", "\u0661\u0662", "\uff13", "1\u00b2")


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
@pytest.mark.parametrize(
    ("persona", "path", "parameter", "template"),
    [
        ("agent", "/api/v1/tickets", "client", "{}"),
        ("agent", "/tickets", "client", "{}"),
        ("agent", "/api/v1/tickets", "rating", "{}"),
        ("agent", "/tickets", "rating", "{}"),
        ("agent", "/api/v1/tickets", "ticket_type", "is:{}"),
        ("agent", "/api/v1/tickets", "team_member", "any_of:1,{}"),
        ("manager", "/dashboard", "team_member", "is:{}"),
    ],
)
def test_unicode_digits_in_ids_are_a_422(
    *,
    api_client_factory: ApiClientFactory,
    persona: Persona,
    path: str,
    parameter: str,
    template: str,
    digits: str,
) -> None:
    status, body = _get(api_client_factory(persona), path, {parameter: template.format(digits)})
    assert status == 422, (path, parameter, body[:300])
    assert parameter in body


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
@pytest.mark.parametrize(
    ("persona", "path"),
    [("agent", "/api/v1/tickets"), ("agent", "/tickets"), ("client_a", "/portal")],
)
def test_unicode_digits_in_search_are_text_not_a_crash(
    api_client_factory: ApiClientFactory, persona: Persona, path: str, digits: str
) -> None:
    for q in (digits, f"#{digits}"):
        status, body = _get(api_client_factory(persona), path, {"q": q})
        assert status == 200, (path, q, body[:300])


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("manager", "/api/v1/analytics/clients"),
        ("manager", "/dashboard/clients"),
        ("agent", "/api/v1/tickets"),
        ("agent", "/tickets"),
    ],
)
def test_nul_in_search_text_is_a_422(
    api_client_factory: ApiClientFactory, persona: Persona, path: str
) -> None:
    status, body = _get(api_client_factory(persona), path, {"q": "acme\x00"})
    assert status == 422, (path, body[:300])
    assert "q" in body


def _ticket_of(client: TestClient) -> int:
    rows = client.get("/api/v1/tickets", params={"page_size": "1"}).json()["rows"]
    return int(rows[0]["id"])


def test_unicode_digits_in_form_ids_are_refused(api_client_factory: ApiClientFactory) -> None:
    client_a = api_client_factory("client_a")
    new = client_a.post(
        "/portal/tickets/new",
        data={"title": "t", "ticket_type_id": "²", "priority": "low", "message": "m"},
    )
    assert new.status_code == 422, new.text[:300]
    agent = api_client_factory("agent")
    ticket_id = _ticket_of(agent)
    update = agent.post(f"/tickets/{ticket_id}", data={"assigned_to": "²"})
    assert update.status_code == 422, update.text[:300]


SECRET = "hunter2-very-secret"
SURROGATE = "\\ud800"  # a lone surrogate as JSON writes it: valid JSON, not encodable text


def _raw(text: str) -> bytes:
    """A JSON body with `@` replaced by a lone surrogate escape (json.dumps would refuse it)."""
    return text.replace("@@", SURROGATE).encode()


@pytest.mark.parametrize(
    ("persona", "method", "path", "body", "field"),
    [
        (
            "client_a",
            "POST",
            "/api/v1/tickets",
            '{"title": "a@@b", "ticket_type_id": 1, "priority": "low", "message": "m"}',
            "title",
        ),
        (
            "client_a",
            "POST",
            "/api/v1/tickets",
            '{"title": "t", "ticket_type_id": 1, "priority": "low", "message": "@@"}',
            "message",
        ),
        ("client_a", "POST", "/api/v1/tickets/{id}/messages", '{"text": "x@@"}', "text"),
        (
            "client_a",
            "POST",
            "/api/v1/tickets/{id}/feedback",
            '{"rating": 5, "text": "@@"}',
            "text",
        ),
        (
            "anonymous",
            "POST",
            "/api/v1/auth/login",
            '{"email": "a@@@example.com", "password": "' + SECRET + '"}',
            "email",
        ),
        (
            "anonymous",
            "POST",
            "/api/v1/auth/login",
            '{"email": "a@example.com", "password": "' + SECRET + '@@"}',
            "password",
        ),
        (
            "anonymous",
            "POST",
            "/api/v1/auth/login",
            '{"email": "a\\u0000@example.com", "password": "' + SECRET + '"}',
            "email",
        ),
        (
            "agent",
            "POST",
            "/api/v1/auth/password",
            '{"current_password": "' + SECRET + '@@", "new_password": "' + SECRET + '2"}',
            "current_password",
        ),
        (
            "agent",
            "POST",
            "/api/v1/auth/password",
            '{"current_password": "x", "new_password": "' + SECRET + '@@"}',
            "new_password",
        ),
        (
            "admin",
            "POST",
            "/api/v1/admin/users",
            '{"email": "new@@@example.com", "role": "agent", "team_member_id": 3}',
            "email",
        ),
    ],
)
def test_unencodable_or_nul_text_in_json_is_a_422_naming_the_field(
    *,
    api_client_factory: ApiClientFactory,
    persona: Persona,
    method: str,
    path: str,
    body: str,
    field: str,
) -> None:
    client = api_client_factory(persona)
    if "{id}" in path:
        path = path.format(id=_ticket_of(client))
    response = client.request(
        method, path, content=_raw(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text[:300]
    assert field in response.text
    assert SECRET not in response.text
    json.loads(response.text)  # a well-formed body


@pytest.mark.parametrize("email", ["a\x00@example.com", "a\ud800@example.com"])
def test_login_form_with_nul_or_surrogate_is_refused(
    api_client_factory: ApiClientFactory, email: str
) -> None:
    anonymous = api_client_factory("anonymous")
    response = anonymous.post(
        "/login",
        content=f"email={_form_escape(email)}&password={SECRET}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    # Invalid UTF-8 in a form is decoded with replacement characters: a wrong email, not a
    # crash. NUL is refused before it reaches the database.
    assert response.status_code == (422 if "\x00" in email else 401), response.text[:300]
    assert SECRET not in response.text


def _form_escape(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def test_bidi_overrides_are_refused_in_titles_and_messages(
    api_client_factory: ApiClientFactory,
) -> None:
    """Issue 11 item 9: U+202A-U+202E and U+2066-U+2069 can make a title read backwards."""
    client_a = api_client_factory("client_a")
    for char in ("\u202a", "\u202e", "\u2066", "\u2069"):
        title = client_a.post(
            "/api/v1/tickets",
            json={
                "title": f"pay{char}gpj.exe",
                "ticket_type_id": 1,
                "priority": "low",
                "message": "m",
            },
        )
        assert title.status_code == 422, title.text[:300]
        assert "title" in title.text
        message = client_a.post(
            "/api/v1/tickets",
            json={"title": "t", "ticket_type_id": 1, "priority": "low", "message": f"a{char}b"},
        )
        assert message.status_code == 422, message.text[:300]
        assert "message" in message.text
        form = client_a.post(
            "/portal/tickets/new",
            data={"title": f"a{char}b", "ticket_type_id": "1", "priority": "low", "message": "m"},
        )
        assert form.status_code == 422, form.text[:300]


@pytest.mark.parametrize(
    ("persona", "path", "data"),
    [
        (
            "admin",
            "/admin/invite",
            {"email": "a\x00@b.example", "kind": "client", "client_id": "1"},
        ),
        (
            "agent",
            "/account/password",
            {"current": "x\x00", "password": "y\x00", "confirm": "y\x00"},
        ),
        (
            "client_a",
            "/portal/tickets/new",
            {"title": "a\x00", "ticket_type_id": "1", "priority": "low", "message": "m"},
        ),
        ("agent", "/tickets?q=%00", {}),
    ],
)
def test_nul_in_page_forms_is_a_4xx(
    api_client_factory: ApiClientFactory, persona: Persona, path: str, data: dict[str, str]
) -> None:
    client = api_client_factory(persona)
    response = client.post(path, data=data) if data else client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:300])
