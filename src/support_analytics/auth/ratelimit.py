"""Password-guess throttling kept in PostgreSQL, so every app process shares the same counts.

Every attempt at a password (sign-in, or the current password when changing it) first takes
a slot: in one transaction, holding advisory locks on the account and on the client IP, the
recent failures are counted and, if the attempt may go ahead, it is recorded as a failure
right away. Only then is the password checked (outside the locks: argon2 is slow), and a
right password turns the record into a success. So N concurrent guesses cannot all pass the
check before any of them is counted: at most the limit ever reach the password check.

Limits over a sliding window:
- per (account, IP): MAX_FAILURES_PER_ACCOUNT_AND_IP, then 429 until the oldest failure
  leaves the window. Someone guessing from one address shuts out only that address.
- per IP: MAX_FAILURES_PER_IP over all accounts (spraying one password over many accounts).
- per account, from all addresses together: after BACKOFF_AFTER_FAILURES failures, one
  attempt per BACKOFF_SPACING. Many addresses guessing slow the account down but never lock
  its owner out: the owner's attempt waits at most BACKOFF_SPACING.
Retry-After says when the next attempt may go ahead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.errors import TooManyRequests

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT_AND_IP = 5
MAX_FAILURES_PER_IP = 30
BACKOFF_AFTER_FAILURES = 10
BACKOFF_SPACING = timedelta(seconds=30)


class RateLimited(TooManyRequests):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many failed sign-in attempts. Try again later.", retry_after=retry_after
        )


@dataclass(frozen=True)
class Limit:
    where: str
    max_failures: int


_LIMITS = (
    Limit("email = :email AND ip_address = :ip", MAX_FAILURES_PER_ACCOUNT_AND_IP),
    Limit("ip_address = :ip", MAX_FAILURES_PER_IP),
)


def _seconds(value: object) -> int:
    return max(1, math.ceil(float(str(value))))


def _refusal(session: Session, *, email: str, ip_address: str) -> int | None:
    """Seconds to wait before this attempt may go ahead, or None."""
    params = {"email": email, "ip": ip_address, "window": WINDOW}
    for limit in _LIMITS:
        row = session.execute(
            text(
                "SELECT count(*) AS failures,"
                " extract(epoch FROM min(attempted_at) + :window - now()) AS wait"
                " FROM (SELECT attempted_at FROM login_attempts"
                f"  WHERE {limit.where} AND NOT succeeded AND attempted_at > now() - :window"
                "  ORDER BY attempted_at DESC LIMIT :max) recent"
            ),
            {**params, "max": limit.max_failures},
        ).one()
        if row.failures >= limit.max_failures:
            return _seconds(row.wait)
    row = session.execute(
        text(
            "SELECT count(*) FILTER (WHERE NOT succeeded) AS failures,"
            " extract(epoch FROM max(attempted_at) + :spacing - now()) AS wait"
            " FROM login_attempts WHERE email = :email AND attempted_at > now() - :window"
        ),
        {**params, "spacing": BACKOFF_SPACING},
    ).one()
    if row.failures >= BACKOFF_AFTER_FAILURES and row.wait is not None and row.wait > 0:
        return _seconds(row.wait)
    return None


def take_slot(session: Session, *, email: str, ip_address: str) -> int:
    """Refuse with RateLimited, or record this attempt as a failure and return its id (see
    the module). Commit the caller's transaction before the password check: that releases
    the locks."""
    # Account first, then IP, in every transaction: two attempts never wait on each other
    # in opposite orders.
    for key in (f"account:{email}", f"ip:{ip_address}"):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"support_analytics.login:{key}"},
        )
    wait = _refusal(session, email=email, ip_address=ip_address)
    if wait is not None:
        raise RateLimited(wait)
    attempt_id = session.execute(
        text(
            "INSERT INTO login_attempts (email, ip_address, succeeded)"
            " VALUES (:email, :ip, false) RETURNING id"
        ),
        {"email": email, "ip": ip_address},
    ).scalar_one()
    # Keep the table small: nothing older than the window is ever consulted.
    session.execute(
        text("DELETE FROM login_attempts WHERE attempted_at < now() - :keep"),
        {"keep": WINDOW * 4},
    )
    return int(attempt_id)


def succeeded(session: Session, attempt_id: int) -> None:
    """The password was right: the attempt no longer counts as a failure."""
    session.execute(
        text("UPDATE login_attempts SET succeeded = true WHERE id = :id"), {"id": attempt_id}
    )
