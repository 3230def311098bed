"""Opaque random tokens (sessions, invites, resets): 256 bits, only their SHA-256 stored.

The hash is plain SHA-256 because PostgreSQL must compute the same value (the built-in
`sha256()`, no pgcrypto on the embedded server) to resolve identity inside RLS; a pepper
would add nothing against guessing a 256-bit random value.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()
