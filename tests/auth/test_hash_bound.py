"""Password hashing is bounded per process (issue 12 item 24): argon2 takes 64 MiB per hash,
so a burst of sign-ins waits for a turn and is then answered 503 instead of exhausting RAM."""

from __future__ import annotations

import pytest

from support_analytics.auth import passwords
from support_analytics.config import get_settings
from support_analytics.tenancy.gate import Busy


def test_a_hash_beyond_the_bound_waits_then_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASH_WAIT_SECONDS", 0.1)
    turns = passwords._turns()
    held = get_settings().password_hash_concurrency
    for _ in range(held):
        assert turns.acquire(timeout=1)
    try:
        with pytest.raises(Busy) as raised:
            passwords.hash_password("correct-horse-battery")
        assert raised.value.status_code == 503
        assert raised.value.headers["Retry-After"].isdigit()
    finally:
        for _ in range(held):
            turns.release()
    assert passwords.verify(
        "correct-horse-battery", passwords.hash_password("correct-horse-battery")
    )[0]
