"""Session cookies over HTTP: tampering, expiry, sliding renewal, disabled users."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.auth.tokens import token_hash
from support_analytics.db.engine import Database
from support_analytics.tenancy.scope import owner_transaction
from tests.fixtures.auth import ApiClientFactory, Persona, TestUser


def _token(client: TestClient) -> str:
    token = client.cookies.get("sa_session")
    assert token
    return token


def test_tampered_cookie_is_anonymous(api_client_factory: ApiClientFactory) -> None:
    client = api_client_factory("admin")
    token = _token(client)
    flipped = ("A" if token[0] != "A" else "B") + token[1:]
    client.cookies.clear()
    client.cookies.set("sa_session", token)
    assert client.get("/api/v1/me").status_code == 200  # the jar trick itself works
    for forged in (flipped, token[:-1], token + "x", "", "x" * 43, "' OR 1=1 --"):
        client.cookies.clear()
        client.cookies.set("sa_session", forged)
        assert client.get("/api/v1/me").status_code == 401, forged
        assert client.get("/api/v1/tickets").status_code == 401


def test_expired_session_is_refused(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    client = api_client_factory("client_a")
    with owner_transaction(owner_database) as session:
        session.execute(
            text(
                "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = :h"
            ),
            {"h": token_hash(_token(client))},
        )
    assert client.get("/api/v1/me").status_code == 401


def test_use_slides_the_expiry(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    client = api_client_factory("agent")
    digest = token_hash(_token(client))
    with owner_transaction(owner_database) as session:
        session.execute(
            text(
                "UPDATE sessions SET last_seen_at = now() - interval '2 hours',"
                " expires_at = now() + interval '5 minutes' WHERE token_hash = :h"
            ),
            {"h": digest},
        )
    assert client.get("/api/v1/me").status_code == 200
    with owner_transaction(owner_database) as session:
        remaining = session.execute(
            text(
                "SELECT extract(epoch FROM expires_at - now()) FROM sessions WHERE token_hash = :h"
            ),
            {"h": digest},
        ).scalar_one()
    assert float(remaining) > 24 * 3600  # renewed to the full idle lifetime (7 days)


def test_disabled_user_is_cut_off_even_with_a_live_session(
    api_client_factory: ApiClientFactory,
    owner_database: Database,
    personas: dict[Persona, TestUser],
) -> None:
    client = api_client_factory("manager")
    assert client.get("/api/v1/tickets?page_size=1").status_code == 200
    with owner_transaction(owner_database) as session:
        # Straight in the table, no revocation: the session row itself stays live.
        session.execute(
            text("UPDATE users SET status = 'disabled' WHERE id = :id"),
            {"id": personas["manager"].id},
        )
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/tickets?page_size=1").status_code == 401


def test_only_the_token_hash_is_stored(
    api_client_factory: ApiClientFactory, owner_database: Database
) -> None:
    token = _token(api_client_factory("client_b"))
    with owner_transaction(owner_database) as session:
        stored = session.execute(
            text(
                "SELECT count(*) FROM sessions"
                " WHERE token_hash = convert_to(:raw, 'UTF8') OR user_agent = :raw"
            ),
            {"raw": token},
        ).scalar_one()
        hashed = session.execute(
            text("SELECT count(*) FROM sessions WHERE token_hash = :h"), {"h": token_hash(token)}
        ).scalar_one()
    assert (stored, hashed) == (0, 1)
