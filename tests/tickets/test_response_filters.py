"""The ticket list's `awaiting` and `first_response` filters: exactly their tickets (plain
SQL over the raw tables) and a 422 naming the parameter for bad values."""

from __future__ import annotations

import psycopg

from support_analytics.db.engine import libpq_url
from tests.fixtures.auth import ApiClientFactory


def test_list_filters_refuse_bad_values(api_client_factory: ApiClientFactory) -> None:
    manager = api_client_factory("manager")
    for name, value in (
        ("awaiting", "soon"),
        ("first_response", "abc"),
        ("first_response", "2..1"),
        ("first_response", "-1..2"),
        ("first_response", "nan.."),
    ):
        response = manager.get("/api/v1/tickets", params={name: value})
        assert response.status_code == 422, (name, value)
        assert name in response.text
    ok = manager.get("/api/v1/tickets", params={"awaiting": "reply", "first_response": "0.5.."})
    assert ok.status_code == 200


def test_counts_equal_plain_sql(api_client_factory: ApiClientFactory, fresh_database: str) -> None:
    manager = api_client_factory("manager")
    with psycopg.connect(libpq_url(fresh_database)) as conn:
        conn.execute(
            "INSERT INTO ticket_messages (ticket_id, from_client, message_text)"
            " SELECT id, true, 'any news?' FROM tickets WHERE status = 'in_progress' LIMIT 7"
        )
        conn.execute(
            "INSERT INTO tickets (client_id, ticket_type_id, status, priority, title)"
            " VALUES (3, 2, 'open', 'high', 'nobody answered yet')"
        )
        conn.commit()
        plain = {
            "awaiting=first_reply": """SELECT count(*) FROM tickets t
                WHERE t.status IN ('open', 'in_progress') AND NOT EXISTS (SELECT 1
                FROM ticket_messages m WHERE m.ticket_id = t.id AND NOT m.from_client)""",
            "awaiting=reply": """SELECT count(*) FROM tickets t
                WHERE t.status IN ('open', 'in_progress') AND (SELECT m.from_client
                FROM ticket_messages m WHERE m.ticket_id = t.id
                ORDER BY m.created_at DESC, m.id DESC LIMIT 1)""",
            "first_response=0.5..1": """SELECT count(*) FROM tickets t WHERE (SELECT
                greatest(0, extract(epoch FROM min(m.created_at) - t.created_at) / 3600)
                FROM ticket_messages m WHERE m.ticket_id = t.id AND NOT m.from_client)
                >= 0.5 AND (SELECT greatest(0, extract(epoch FROM min(m.created_at)
                - t.created_at) / 3600) FROM ticket_messages m WHERE m.ticket_id = t.id
                AND NOT m.from_client) < 1""",
        }
        for query, sql in plain.items():
            row = conn.execute(sql.encode()).fetchone()
            assert row is not None
            got = manager.get(f"/api/v1/tickets?{query}&page_size=1").json()["total"]
            assert got == row[0], query
            assert row[0] > 0, query
