"""The demo accounts: one per role, created once, each able to sign in."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.auth.demo import DEMO_ACCOUNTS, ensure_demo_accounts
from support_analytics.db.engine import Database
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction


def test_demo_accounts_are_created_once_and_sign_in(
    auth_app: FastAPI, owner_database: Database
) -> None:
    first = ensure_demo_accounts(owner_database)
    assert [a.role for a in first] == [Role.ADMIN, Role.MANAGER, Role.AGENT, Role.CLIENT]
    assert all(a.created for a in first)
    again = ensure_demo_accounts(owner_database)
    assert [a.email for a in again] == [a.email for a in DEMO_ACCOUNTS]
    assert not any(a.created for a in again)
    with owner_transaction(owner_database) as session:
        busiest = session.execute(
            text(
                "SELECT client_id FROM tickets GROUP BY client_id"
                " ORDER BY count(*) DESC, client_id LIMIT 1"
            )
        ).scalar_one()
    for account in first:
        client = TestClient(auth_app)
        response = client.post(
            "/api/v1/auth/login", json={"email": account.email, "password": account.password}
        )
        assert response.status_code == 200, account.email
        me = response.json()
        assert me["role"] == account.role.value
        if account.role is Role.CLIENT:
            assert me["client_id"] == busiest
        else:
            assert me["team_member_id"] is not None
