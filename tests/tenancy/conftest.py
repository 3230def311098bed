"""One database for the whole tenancy suite: the reference data plus the personas' users,
sessions and a few rows in every user table, so no cell of the matrix is vacuous."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from support_analytics.db.engine import Database, connect
from support_analytics.mail.message import Mail
from support_analytics.mail.outbox import queue_mail
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import owner_transaction
from tests.conftest import PgServer
from tests.fixtures.auth import (
    CLIENT_A_ID,
    CLIENT_B_ID,
    Persona,
    create_personas,
    create_user,
    issue_link,
    open_session,
)
from tests.tenancy.matrix import MatrixPersona, World

VICTIM_TEAM_MEMBER_ID = 4
SOMEONE_ELSE_TEAM_MEMBER_ID = 9


def _ticket(database: Database, client_id: int, status: str) -> int:
    with owner_transaction(database) as session:
        return int(
            session.execute(
                text(
                    "SELECT t.id FROM tickets t WHERE t.client_id = :client AND t.status = :status"
                    " AND NOT EXISTS (SELECT 1 FROM ticket_feedback f WHERE f.ticket_id = t.id)"
                    " ORDER BY t.id LIMIT 1"
                ),
                {"client": client_id, "status": status},
            ).scalar_one()
        )


def _saved_views(database: Database, internal_ids: list[int], victim_id: int) -> dict[str, int]:
    """A private view and a default per internal persona; the victim's private and shared
    views; and a queued mail (a job, its event and the outbox row)."""
    insert = text(
        "INSERT INTO saved_views (owner_id, name, path, query, shared)"
        " VALUES (:owner, :name, '/dashboard', 'status=open', :shared) RETURNING id"
    )
    with owner_transaction(database) as session:
        ids = {
            kind: int(
                session.execute(
                    insert, {"owner": victim_id, "name": kind, "shared": kind == "shared"}
                ).scalar_one()
            )
            for kind in ("private", "shared")
        }
        for user_id in internal_ids:
            own = session.execute(
                insert, {"owner": user_id, "name": "mine", "shared": False}
            ).scalar_one()
            session.execute(
                text("INSERT INTO saved_view_defaults (user_id, view_id) VALUES (:u, :v)"),
                {"u": user_id, "v": own},
            )
        session.execute(
            text("INSERT INTO saved_view_defaults (user_id, view_id) VALUES (:u, :v)"),
            {"u": victim_id, "v": ids["private"]},
        )
        queue_mail(
            session.connection(), Mail(to="victim@tests.example", subject="s", text="t", html="h")
        )
    return ids


def _alerts(database: Database, internal_ids: list[int], victim_id: int) -> None:
    """A webhook, two rules (one subscribed to by every internal persona and the victim, one
    firing with a delivery), so every alert table has rows."""
    with owner_transaction(database) as session:
        webhook = session.execute(
            text(
                "INSERT INTO alert_webhooks (name, url, salt, created_by)"
                " VALUES ('hook', 'https://hooks.example/in', '\\x01', :victim) RETURNING id"
            ),
            {"victim": victim_id},
        ).scalar_one()
        rule = session.execute(
            text(
                "INSERT INTO alert_rules (owner_id, name, metric, comparator, threshold,"
                " webhook_id) VALUES (:victim, 'rule', 'open_tickets', '>', 1, :hook)"
                " RETURNING id"
            ),
            {"victim": victim_id, "hook": webhook},
        ).scalar_one()
        # A second rule nobody subscribes to yet: the matrix's subscribe cases use it.
        session.execute(
            text(
                "INSERT INTO alert_rules (owner_id, name, metric, comparator, threshold)"
                " VALUES (:victim, 'unsubscribed', 'new_tickets', '>=', 10)"
            ),
            {"victim": victim_id},
        )
        session.execute(
            text("INSERT INTO alert_state (rule_id, firing, value) VALUES (:rule, true, 2)"),
            {"rule": rule},
        )
        firing = session.execute(
            text(
                "INSERT INTO alert_firings (rule_id, kind, value, threshold, comparator)"
                " VALUES (:rule, 'fired', 2, 1, '>') RETURNING id"
            ),
            {"rule": rule},
        ).scalar_one()
        session.execute(
            text(
                "INSERT INTO alert_deliveries (firing_id, channel, webhook_id)"
                " VALUES (:firing, 'webhook', :hook)"
            ),
            {"firing": firing, "hook": webhook},
        )
        for user_id in (*internal_ids, victim_id):
            session.execute(
                text("INSERT INTO alert_subscriptions (rule_id, user_id) VALUES (:rule, :user)"),
                {"rule": rule, "user": user_id},
            )


def _digests(database: Database, user_ids: list[int], victim_id: int) -> None:
    """Preferences and a daily digest for every persona and the victim; one sent digest and
    one sent notification (owner-only logs)."""
    with owner_transaction(database) as session:
        for user_id in (*user_ids, victim_id):
            session.execute(
                text("INSERT INTO user_preferences (user_id, timezone) VALUES (:u, 'UTC')"),
                {"u": user_id},
            )
            sub = session.execute(
                text(
                    "INSERT INTO digest_subscriptions (user_id, frequency) VALUES (:u, 'daily')"
                    " RETURNING id"
                ),
                {"u": user_id},
            ).scalar_one()
        session.execute(
            text("INSERT INTO digest_sends (subscription_id, period_start) VALUES (:s, :d)"),
            {"s": sub, "d": "2025-03-03"},
        )
        session.execute(
            text("INSERT INTO client_notification_sends (event_id, user_id) VALUES (1, :u)"),
            {"u": victim_id},
        )


def build_world(database: Database, requests: Database) -> World:
    users = create_personas(database)
    victim = create_user(
        database, Role.AGENT, email="victim@tests.example", team_member_id=VICTIM_TEAM_MEMBER_ID
    )
    open_session(database, victim)
    with owner_transaction(database) as session:
        issue_link(session, victim.id, "reset", "http://t")
        session.execute(
            text(
                "INSERT INTO login_attempts (email, ip_address, succeeded)"
                " VALUES ('x@tests.example', '10.1.1.1', false)"
            )
        )
        # A holiday, so the matrix can tell who reads and deletes them.
        session.execute(
            text(
                "INSERT INTO business_holidays (calendar_id, day, name)"
                " VALUES (1, '2031-01-01', 'matrix')"
            )
        )
    views = _saved_views(database, [users[p].id for p in ("agent", "manager", "admin")], victim.id)
    _digests(database, [user.id for user in users.values()], victim.id)
    _alerts(database, [users[p].id for p in ("agent", "manager", "admin")], victim.id)
    tickets = {
        (client, status): _ticket(database, client, status)
        for client in (CLIENT_A_ID, CLIENT_B_ID)
        for status in ("open", "resolved")
    }
    with owner_transaction(database) as session:
        for client in (CLIENT_A_ID, CLIENT_B_ID):
            session.execute(
                text(
                    "INSERT INTO ticket_submissions (client_id, token)"
                    " VALUES (:client, 'matrix-existing')"
                ),
                {"client": client},
            )

    def params_for(
        client_id: int, other_id: int, *, user_id: int, team_member: int | None
    ) -> dict[str, object]:
        return {
            "client": client_id,
            "other_client": other_id,
            "ticket": tickets[(client_id, "open")],
            "other_ticket": tickets[(other_id, "open")],
            "resolved": tickets[(client_id, "resolved")],
            "other_resolved": tickets[(other_id, "resolved")],
            "is_client": team_member is None,
            "team_member": team_member,
            "someone_else": SOMEONE_ELSE_TEAM_MEMBER_ID,
            "self_user": user_id,
            "victim_user": victim.id,
            "victim_shared_view": views["shared"],
            "victim_private_view": views["private"],
        }

    tokens: dict[MatrixPersona, str | None] = {"anonymous": None}
    params: dict[MatrixPersona, dict[str, object]] = {
        "anonymous": params_for(CLIENT_A_ID, CLIENT_B_ID, user_id=-1, team_member=None)
    }
    persona: Persona
    for persona in ("client_a", "client_b", "agent", "manager", "admin"):
        user = users[persona]
        tokens[persona] = open_session(database, user)
        own = user.client_id or CLIENT_A_ID
        other = CLIENT_B_ID if own == CLIENT_A_ID else CLIENT_A_ID
        params[persona] = params_for(own, other, user_id=user.id, team_member=user.team_member_id)
    return World(tokens=tokens, params=params, requests=requests)


@pytest.fixture(scope="module")
def tenancy_database(pg_server: PgServer, template_database: str) -> Iterator[Database]:
    with pg_server.scratch_database("sa_tenancy", template=template_database) as url:
        database = connect(url, pool_size=2)
        try:
            yield database
        finally:
            database.engine.dispose()


@pytest.fixture(scope="module")
def request_database(tenancy_database: Database) -> Iterator[Database]:
    """The same database through the authenticator login, as the app's requests see it."""
    database = connect_for_requests(tenancy_database.url, pool_size=2)
    assert database.url != tenancy_database.url, "the authenticator login is not usable"
    try:
        yield database
    finally:
        database.engine.dispose()


@pytest.fixture(scope="module")
def world(tenancy_database: Database, request_database: Database) -> World:
    return build_world(tenancy_database, request_database)
