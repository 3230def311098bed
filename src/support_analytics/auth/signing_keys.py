"""The random HMAC keys the app signs what it hands out with, one per purpose, in
`signing_keys` (made by the migrations, readable by the owner login only): digest unsubscribe
links (`digests/links.py`) and alert webhook secrets (`alerts/webhooks.py`). One key per
purpose, so a key misused in one place gives nothing against the other (docs/security.md)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from support_analytics.db.tables import signing_keys

Purpose = Literal["digest-unsubscribe", "alert-webhook"]


def key(owner: Session, purpose: Purpose) -> bytes:
    """The key for `purpose`; `owner` must be an owner transaction (no request role reads
    the table)."""
    found = owner.execute(
        select(signing_keys.c.key).where(signing_keys.c.purpose == purpose)
    ).scalar_one()
    return bytes(found)
