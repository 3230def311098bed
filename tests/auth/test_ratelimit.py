"""Login throttling under concurrency, per (account, IP) with a slower per-account back-off,
and the same throttle on password changes (issue 12, items 5, 6 and 12)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.auth import ratelimit, service
from support_analytics.db.engine import Database, connect
from support_analytics.errors import Unauthenticated
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction
from tests.fixtures.auth import Persona, TestUser, UserFactory

TTL = timedelta(hours=1)
GUESSES = 50


@pytest.fixture
def wide_database(fresh_database: str) -> Iterator[Database]:
    """Enough connections that every guess runs at the same time."""
    database = connect(fresh_database, pool_size=GUESSES, max_overflow=0, pool_timeout=60)
    try:
        yield database
    finally:
        database.engine.dispose()


def _login(database: Database, user: TestUser, password: str, ip: str) -> str:
    try:
        service.login(
            database, email=user.email, password=password, ip_address=ip, user_agent=None, ttl=TTL
        )
    except ratelimit.RateLimited:
        return "limited"
    except Unauthenticated:
        return "checked"
    return "signed in"


def test_concurrent_guesses_reach_the_password_check_at_most_the_limit(
    wide_database: Database, user_factory: UserFactory
) -> None:
    user = user_factory.create(Role.AGENT)
    start = threading.Barrier(GUESSES)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def guess() -> None:
        start.wait(timeout=30)
        outcome = _login(wide_database, user, "wrong password!", "10.0.0.1")
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=guess) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(outcomes.values()) == GUESSES
    assert outcomes["checked"] <= ratelimit.MAX_FAILURES_PER_ACCOUNT_AND_IP, outcomes
    # And the right password from that address is refused too, until the window passes.
    assert _login(wide_database, user, user.password, "10.0.0.1") == "limited"


def test_failures_from_other_addresses_do_not_lock_the_owner_out(
    owner_database: Database, user_factory: UserFactory
) -> None:
    user = user_factory.create(Role.AGENT)
    for n in range(5):
        assert _login(owner_database, user, "wrong password!", f"10.0.1.{n}") == "checked"
    assert _login(owner_database, user, user.password, "10.0.2.1") == "signed in"


def test_many_addresses_only_slow_the_account_down(
    owner_database: Database, user_factory: UserFactory
) -> None:
    user = user_factory.create(Role.AGENT)
    for n in range(ratelimit.BACKOFF_AFTER_FAILURES):
        assert _login(owner_database, user, "wrong password!", f"10.0.3.{n}") == "checked"
    with pytest.raises(ratelimit.RateLimited) as raised:
        service.login(
            owner_database,
            email=user.email,
            password=user.password,
            ip_address="10.0.4.1",
            user_agent=None,
            ttl=TTL,
        )
    assert raised.value.retry_after <= ratelimit.BACKOFF_SPACING.total_seconds()
    # Once the spacing has passed, one attempt goes through: the owner gets in.
    with owner_transaction(owner_database) as session:
        session.execute(
            text("UPDATE login_attempts SET attempted_at = attempted_at - :shift"),
            {"shift": ratelimit.BACKOFF_SPACING + timedelta(seconds=1)},
        )
    assert _login(owner_database, user, user.password, "10.0.4.1") == "signed in"


def test_password_change_is_throttled_like_login(
    auth_app: FastAPI, personas: dict[Persona, TestUser]
) -> None:
    user = personas["agent"]
    client = TestClient(auth_app, raise_server_exceptions=False)
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": user.password}
        ).status_code
        == 200
    )
    new = "a brand new passphrase 42"
    for _ in range(ratelimit.MAX_FAILURES_PER_ACCOUNT_AND_IP):
        wrong = client.post(
            "/api/v1/auth/password",
            json={"current_password": "not my password", "new_password": new},
        )
        assert wrong.status_code == 422
    limited = client.post(
        "/api/v1/auth/password",
        json={"current_password": user.password, "new_password": new},
    )
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    # Nothing changed: the old password still signs in (from another address).
    assert _login(auth_app.state.database, user, user.password, "10.0.5.1") == "signed in"
