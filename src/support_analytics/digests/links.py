"""Signed single-purpose unsubscribe links: HMAC-SHA256 under the `digest-unsubscribe` key
of `signing_keys` (random, made by migration 0013, readable by the owner only) over the
purpose, the subscription and its user. The link can do one thing, remove that one
subscription, and needs no sign-in (it is opened from a mail client); a link for another
subscription or purpose cannot be derived from it."""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.auth import signing_keys
from support_analytics.web.urls import url

PURPOSE: Final = "digest-unsubscribe"
PATH = "/digests/unsubscribe"


def signature(owner: Session, subscription_id: int, user_id: int) -> str:
    message = f"{PURPOSE}:{subscription_id}:{user_id}".encode()
    return hmac.new(signing_keys.key(owner, PURPOSE), message, hashlib.sha256).hexdigest()


def unsubscribe_url(owner: Session, base_url: str, subscription_id: int, user_id: int) -> str:
    sig = signature(owner, subscription_id, user_id)
    return base_url.rstrip("/") + url(f"{PATH}/{subscription_id}", {"sig": sig})


def valid(owner: Session, subscription_id: int, sig: str) -> bool:
    """Whether `sig` is the signature of this subscription for the user it belongs to now."""
    user_id = owner.execute(
        text("SELECT user_id FROM digest_subscriptions WHERE id = :id"), {"id": subscription_id}
    ).scalar_one_or_none()
    if user_id is None:
        return False
    return hmac.compare_digest(signature(owner, subscription_id, int(user_id)), sig)
