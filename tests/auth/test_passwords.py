"""Password hashing: argon2id with pwdlib's recommended parameters, outdated hashes upgraded."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from support_analytics.auth import passwords


def test_production_hasher_is_argon2id_with_recommended_costs() -> None:
    production = passwords.build_hasher()
    encoded = production.hash("correct-horse-battery")
    assert encoded.startswith("$argon2id$")
    assert "m=65536,t=3,p=4" in encoded


def test_verify_and_rehash() -> None:
    old = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=512, parallelism=1),))
    stored = old.hash("correct-horse-battery")
    ok, new_hash = passwords.verify("correct-horse-battery", stored)
    assert ok
    assert new_hash is not None
    assert passwords.verify("wrong-horse-battery", stored) == (False, None)


def test_missing_hash_never_matches() -> None:
    assert passwords.verify("anything-at-all", None) == (False, None)


def test_strength_rules() -> None:
    assert passwords.check_strength("short") is not None
    assert passwords.check_strength(" " * 12) is not None
    assert passwords.check_strength("long-enough-pass") is None
