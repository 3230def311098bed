"""Text search: titles and message text, ids with `#`, and the search function's own
visibility rule (it matches as the owner, so it must filter like the policies do)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.tenancy.scope import request_transaction
from tests.fixtures.auth import ApiClientFactory, Persona, TestUser, open_session
from tests.tickets.conftest import create

WORD = "zebracorn"
SECRET = "quokkafrost"


def test_search_matches_titles_messages_and_ids_only_within_the_callers_tickets(
    api_client_factory: ApiClientFactory,
) -> None:
    client_a = api_client_factory("client_a")
    client_b = api_client_factory("client_b")
    agent = api_client_factory("agent")
    by_title = create(client_a, title=f"The {WORD.upper()} issue")["id"]
    by_message = create(client_a, message=f"see {WORD}_100% attached")["id"]

    def ids(client: TestClient, q: str) -> set[int]:
        page = client.get("/api/v1/tickets", params={"q": q, "page_size": 100}).json()
        return {row["id"] for row in page["rows"]}

    assert ids(client_a, WORD) == {by_title, by_message}
    assert ids(agent, WORD) == {by_title, by_message}
    assert ids(client_b, WORD) == set()
    assert ids(client_a, f"{WORD}_100%") == {by_message}  # % and _ are literal
    assert ids(client_a, f"{WORD}x100") == set()
    assert by_title in ids(agent, f"#{by_title}")
    assert ids(client_b, f"#{by_title}") == set()


def test_the_search_function_hides_other_clients_tickets_even_to_raw_sql(
    owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    with owner_database.engine.begin() as conn:
        a_ticket = conn.execute(
            text(
                "INSERT INTO tickets (client_id, ticket_type_id, title) "
                f"VALUES ({personas['client_a'].client_id}, 1, 'secret {SECRET}') RETURNING id"
            )
        ).scalar_one()
    found: dict[str, set[int]] = {}
    for persona in ("client_a", "client_b", "agent"):
        token = open_session(owner_database, personas[persona])
        with request_transaction(owner_database, token, ttl=timedelta(hours=1)) as scope:
            rows = scope.session.execute(
                text("SELECT ticket_search_ids(:p)"), {"p": f"%{SECRET}%"}
            ).scalars()
            found[persona] = set(rows)
    with request_transaction(owner_database, None, ttl=timedelta(hours=1)) as anonymous:
        denied = anonymous.session.execute(
            text("SELECT has_function_privilege('ticket_search_ids(text)', 'EXECUTE')")
        ).scalar_one()
    assert found == {"client_a": {a_ticket}, "client_b": set(), "agent": {a_ticket}}
    assert denied is False
