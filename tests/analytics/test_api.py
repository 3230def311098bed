"""/api/v1/analytics/* over HTTP: who may call it, malformed filters, CSV, and the numbers
through the API equal the oracle's."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.analytics import oracle
from tests.fixtures.auth import ApiClientFactory

ENDPOINTS = (
    "overview",
    "tickets-over-time",
    "team-performance",
    "ticket-types",
    "priorities",
    "clients",
    "resolution-times",
    "overdue",
    "resolution-histogram",
)

# (query string, parameter the message must name, a word of the accepted forms it must list)
MALFORMED: tuple[tuple[str, str, str], ...] = (
    ("date=in:2025-03-14", "date", "between:"),
    ("date=2025-03-14", "date", "on:"),
    ("date=on:2025-13-01", "date", "YYYY-MM-DD"),
    ("date=on:14/03/2025", "date", "YYYY-MM-DD"),
    ("date=between:2025-03-31,2025-03-01", "date", "start <= end"),
    ("date=between:2025-03-01", "date", "between:"),
    ("date=on:", "date", "on:"),
    ("priority=is:critical", "priority", "low, medium, high, urgent"),
    ("priority=any_of:", "priority", "any_of:"),
    ("priority=any_of:low,,high", "priority", "any_of:"),
    ("priority=is:low,high", "priority", "any_of"),
    ("priority=equals:low", "priority", "is_not:"),
    ("team_member=is:abc", "team_member", "unassigned"),
    ("team_member=any_of:1,two", "team_member", "unassigned"),
    ("team_member=is:-3", "team_member", "unassigned"),
    ("team_member=none_of:", "team_member", "none_of:"),
    ("ticket_type=is:1.5", "ticket_type", "ticket type id"),
    ("ticket_type=is", "ticket_type", "is:ID"),
    ("client=is:acme", "client", "client id"),
    ("client=3", "client", "any_of:"),
    ("client=none_of:", "client", "none_of:"),
    ("plan=is:gold", "plan", "starter, professional, enterprise"),
    ("plan=any_of:starter,", "plan", "any_of:"),
    ("colour=is:red", "colour", "date"),
    ("date=on:2025-03-14&date=on:2025-03-15", "date", "one value"),
)


@pytest.fixture
def manager(api_client_factory: ApiClientFactory) -> TestClient:
    return api_client_factory("manager")


def test_only_internal_users(api_client_factory: ApiClientFactory) -> None:
    anonymous = api_client_factory("anonymous")
    client_user = api_client_factory("client_a")
    agent = api_client_factory("agent")
    for endpoint in ENDPOINTS:
        url = f"/api/v1/analytics/{endpoint}"
        assert anonymous.get(url).status_code == 401, endpoint
        # A malformed filter does not change who is refused first.
        assert anonymous.get(url + "?date=nonsense").status_code == 401, endpoint
        response = client_user.get(url)
        assert response.status_code == 403, endpoint
        assert response.json()["error"]["code"] == "forbidden"
        assert client_user.get(url + "?format=csv").status_code == 403, endpoint
        assert agent.get(url).status_code == 200, endpoint


def test_malformed_filters_are_422_naming_parameter_and_forms(manager: TestClient) -> None:
    for endpoint in ENDPOINTS:
        for query, parameter, accepted in MALFORMED:
            response = manager.get(f"/api/v1/analytics/{endpoint}?{query}")
            assert response.status_code == 422, (endpoint, query, response.text)
            message = response.json()["error"]["message"]
            assert message.startswith(f"{parameter}:"), (query, message)
            assert accepted in message, (query, message)


def test_table_parameters_are_checked(manager: TestClient) -> None:
    base = "/api/v1/analytics/team-performance"
    for query, parameter in (
        ("sort=-colour", "sort"),
        ("name=like:x", "name"),
        ("avg_rating=between:5,1", "avg_rating"),
        ("tickets_assigned=gte:many", "tickets_assigned"),
        ("page=2", "page"),
    ):
        response = manager.get(f"{base}?{query}")
        assert response.status_code == 422, query
        assert response.json()["error"]["message"].startswith(f"{parameter}:"), query
    assert manager.get("/api/v1/analytics/clients?page=0").status_code == 422
    assert manager.get("/api/v1/analytics/clients?page_size=1000").status_code == 422
    assert manager.get("/api/v1/analytics/overdue?page=x").status_code == 422
    assert manager.get("/api/v1/analytics/overview?format=xml").status_code == 422


def test_numbers_through_the_api_equal_the_oracle(manager: TestClient, fresh_database: str) -> None:
    cases = (
        oracle.FilterSpec(),
        oracle.FilterSpec(
            date=("between", "2025-03-01", "2025-04-15"),
            team_member=("none_of", (3, None)),
            priority=("is_not", ("low",)),
        ),
        oracle.FilterSpec(
            ticket_type=("any_of", (1, 2, 3)), date=("on_or_after", "2025-10-20", None)
        ),
        oracle.FilterSpec(
            client=("any_of", (2, 5, 9)), date=("between", "2025-02-01", "2025-05-31")
        ),
        oracle.FilterSpec(plan=("is_not", ("starter",)), priority=("any_of", ("high", "urgent"))),
        oracle.FilterSpec(client=("is_not", (1,)), plan=("is", ("enterprise",))),
    )
    with oracle.connect(fresh_database) as conn:
        for spec in cases:
            query = spec.query_string()
            got = {
                endpoint: manager.get(f"/api/v1/analytics/{endpoint}?{query}").json()
                for endpoint in ENDPOINTS
                if endpoint != "overdue"
            }
            want = oracle.everything(conn, spec, "UTC")
            oracle.assert_close(got["overview"], want["overview"])
            oracle.assert_close(got["tickets-over-time"], want["tickets_over_time"])
            oracle.assert_close(got["team-performance"]["rows"], want["team_rows_by_assigned"])
            oracle.assert_close(got["ticket-types"], want["ticket_types"])
            oracle.assert_close(got["priorities"], want["priorities"])
            oracle.assert_close(got["clients"], want["clients_page_1"])
            oracle.assert_close(
                got["resolution-times"]["by_priority"], want["resolution_by_priority"]
            )


def test_csv_every_table(manager: TestClient) -> None:
    for endpoint in ENDPOINTS:
        response = manager.get(f"/api/v1/analytics/{endpoint}?format=csv&priority=is:urgent")
        assert response.status_code == 200, endpoint
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert len(rows) >= 2, endpoint
        assert all(len(row) == len(rows[0]) for row in rows), endpoint
    clients_csv = list(
        csv.DictReader(io.StringIO(manager.get("/api/v1/analytics/clients?format=csv").text))
    )
    assert len(clients_csv) == 50  # every client, not one page
    assert list(clients_csv[0]) == [
        "client_id",
        "name",
        "plan_type",
        "total_tickets",
        "open_tickets",
        "total_spent",
        "last_ticket_at",
    ]


def test_openapi_documents_the_grammar(manager: TestClient) -> None:
    spec = manager.get("/api/v1/openapi.json").json()
    for endpoint in ENDPOINTS:
        params = {
            p["name"]: p
            for p in spec["paths"][f"/api/v1/analytics/{endpoint}"]["get"]["parameters"]
        }
        for name in ("date", "team_member", "ticket_type", "priority", "client", "plan"):
            assert params[name].get("examples") or params[name]["schema"].get("examples"), name
            assert "Accepted" in params[name]["description"] or ":" in params[name]["description"]
