"""A client's ticket search reads only that client's rows (issue 12, item 9): never more rows
than the client's own tickets and messages, however many rows of another tenant match, or
search time (and so other tenants' activity) would show through."""

from __future__ import annotations

from sqlalchemy import text

from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import SESSION_TOKEN_SETTING
from support_analytics.tenancy.scope import owner_transaction
from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID, Persona, TestUser, open_session

PATTERN = "%zq-needle%"


_READ = text(
    "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)"
    " FROM pg_stat_xact_user_tables WHERE relname IN ('tickets', 'ticket_messages')"
)


def _search(database: Database, token: str) -> tuple[set[int], int]:
    """(ids found, table rows the search read) for the session's client. The counters are
    read before and after in one transaction: a backend may still hold counts of earlier
    transactions that it has not reported yet."""
    with owner_transaction(database) as session:
        start = int(session.execute(_READ).scalar_one())
        session.execute(
            text("SELECT set_config(:n, :t, true)"), {"n": SESSION_TOKEN_SETTING, "t": token}
        )
        session.execute(text("SET LOCAL ROLE support_analytics_client"))
        found = {
            int(row[0])
            for row in session.execute(text("SELECT * FROM ticket_search_ids(:p)"), {"p": PATTERN})
        }
        session.execute(text("RESET ROLE"))
        read = int(session.execute(_READ).scalar_one()) - start
        session.rollback()
    return found, read


def test_search_reads_only_the_clients_own_rows(
    owner_database: Database, personas: dict[Persona, TestUser]
) -> None:
    token = open_session(owner_database, personas["client_a"])
    with owner_transaction(owner_database) as session:
        mine = session.execute(
            text(
                "INSERT INTO tickets (client_id, ticket_type_id, priority, title)"
                " VALUES (:a, 1, 'low', 'my zq-needle ticket') RETURNING id"
            ),
            {"a": CLIENT_A_ID},
        ).scalar_one()
    with owner_transaction(owner_database) as session:
        own_rows = session.execute(
            text(
                "SELECT (SELECT count(*) FROM tickets WHERE client_id = :a)"
                " + (SELECT count(*) FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id"
                "    WHERE t.client_id = :a)"
            ),
            {"a": CLIENT_A_ID},
        ).scalar_one()
    found, before = _search(owner_database, token)
    assert found == {mine}
    assert before <= own_rows
    with owner_transaction(owner_database) as session:
        session.execute(
            text(
                "INSERT INTO tickets (client_id, ticket_type_id, priority, title)"
                " SELECT :b, 1, 'low', 'their zq-needle ' || g FROM generate_series(1, 3000) g"
            ),
            {"b": CLIENT_B_ID},
        )
        session.execute(text("ANALYZE tickets"))
    found, after = _search(owner_database, token)
    assert found == {mine}
    assert after <= own_rows
