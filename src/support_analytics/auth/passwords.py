"""Password hashing with argon2id (pwdlib's recommended parameters)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 10
MAX_LENGTH = 256


def build_hasher() -> PasswordHash:
    """argon2id with pwdlib's (RFC 9106 based) default costs."""
    return PasswordHash((Argon2Hasher(),))


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return build_hasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one uses outdated parameters). With no stored hash
    we still spend the time of one verification, so response time does not reveal whether an
    account exists."""
    if password_hash is None:
        _hasher().verify(password, _dummy_hash())
        return False, None
    return _hasher().verify_and_update(password, password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-just-timing")


def check_strength(password: str) -> str | None:
    """A reason the password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"the password must have at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password must have at most {MAX_LENGTH} characters"
    if password.strip() == "":
        return "the password must not be blank"
    return None
