"""Password hashing with argon2id (pwdlib's recommended parameters).

Each hash takes 64 MiB for its duration: 24 concurrent sign-ins cost over 1 GB. At most
`password_hash_concurrency` hashes run at once per process; others wait up to
HASH_WAIT_SECONDS for a turn and are then answered 503 with Retry-After.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from support_analytics.config import get_settings
from support_analytics.tenancy.gate import Busy

MIN_LENGTH = 10
MAX_LENGTH = 256


def build_hasher() -> PasswordHash:
    """argon2id with pwdlib's (RFC 9106 based) default costs."""
    return PasswordHash((Argon2Hasher(),))


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return build_hasher()


HASH_WAIT_SECONDS = 5.0
RETRY_AFTER_SECONDS = 2


@lru_cache(maxsize=1)
def _turns() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(get_settings().password_hash_concurrency)


@contextmanager
def _turn() -> Iterator[None]:
    turns = _turns()
    if not turns.acquire(timeout=HASH_WAIT_SECONDS):
        raise Busy("too many sign-ins at once; retry in a moment", retry_after=RETRY_AFTER_SECONDS)
    try:
        yield
    finally:
        turns.release()


def hash_password(password: str) -> str:
    with _turn():
        return _hasher().hash(password)


def verify(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one uses outdated parameters). With no stored hash
    we still spend the time of one verification, so response time does not reveal whether an
    account exists."""
    if password_hash is None:
        dummy = _dummy_hash()
        with _turn():
            _hasher().verify(password, dummy)
        return False, None
    with _turn():
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
