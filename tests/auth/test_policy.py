"""The password policy where people choose passwords: changing one, and setting one from an
invite or reset link (issue 12, item 14)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from support_analytics.auth import invites, policy
from support_analytics.db.engine import Database
from support_analytics.errors import InvalidInput
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction
from tests.fixtures.auth import Persona, TestUser, UserFactory, issue_link

STRONG = "violet tugboat orbits quietly"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 10"),
        ("password1234", "easy to guess"),
        ("qwertyuiop12", "easy to guess"),
        ("iloveyou2024", "easy to guess"),
        ("P@ssw0rd1234", "easy to guess"),
        ("Alice.Martin@Example.com", "email"),
        ("alice.martin-is-great", "email"),
        ("current password here", "differ"),
    ],
)
def test_refused_passwords_say_why(password: str, why: str) -> None:
    reason = policy.refusal(
        password, email="alice.martin@example.com", current="current password here"
    )
    assert reason is not None
    assert why in reason


def test_a_long_uncommon_passphrase_is_accepted() -> None:
    assert policy.refusal(STRONG, email="alice.martin@example.com", current="x" * 12) is None


def _signed_in(app: FastAPI, user: TestUser) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    response = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": user.password}
    )
    assert response.status_code == 200
    return client


@pytest.mark.parametrize(
    "new", ["password1234", "agent-and-more-words", "{current}"], ids=["common", "email", "same"]
)
def test_changing_to_a_refused_password_is_a_422_that_says_why(
    auth_app: FastAPI, personas: dict[Persona, TestUser], new: str
) -> None:
    user = personas["agent"]
    client = _signed_in(auth_app, user)
    response = client.post(
        "/api/v1/auth/password",
        json={"current_password": user.password, "new_password": new.format(current=user.password)},
    )
    assert response.status_code == 422, response.text
    assert "password" in response.text
    # The form explains the rules before anyone types.
    page = client.get("/account/password")
    assert "not a common or leaked password" in page.text


def test_a_link_cannot_set_a_common_password(
    owner_database: Database, user_factory: UserFactory
) -> None:
    user = user_factory.create(Role.AGENT, status="invited")
    with owner_transaction(owner_database) as session:
        link = issue_link(session, user.id, "invite", "http://t")
    token = link.url.rsplit("/", 1)[1]
    with pytest.raises(InvalidInput):
        invites.redeem(owner_database, token, "password1234")
    # Refused before the token was used: a good password still works with the same link.
    assert invites.redeem(owner_database, token, STRONG) == user.id
