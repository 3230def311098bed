"""Login throttling kept in PostgreSQL, so every app process shares the same counts.

Failed attempts in a sliding window are counted per email and per client IP; past the limit
the next attempt is refused with 429 before the password is even checked, and Retry-After
says when the oldest counted failure leaves the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.errors import TooManyRequests

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30


class RateLimited(TooManyRequests):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many failed sign-in attempts. Try again later.", retry_after=retry_after
        )


@dataclass(frozen=True)
class Limit:
    column: str
    value: str
    max_failures: int


def check(session: Session, *, email: str, ip_address: str) -> None:
    """Raise RateLimited when the email or the IP used up its failures in the window."""
    for limit in (
        Limit("email", email, MAX_FAILURES_PER_EMAIL),
        Limit("ip_address", ip_address, MAX_FAILURES_PER_IP),
    ):
        row = session.execute(
            text(
                f"SELECT count(*) AS failures,"
                f" extract(epoch FROM min(attempted_at) + :window - now()) AS wait"
                f" FROM (SELECT attempted_at FROM login_attempts"
                f"  WHERE {limit.column} = :value AND NOT succeeded"
                f"    AND attempted_at > now() - :window"
                f"  ORDER BY attempted_at DESC LIMIT :max) recent"
            ),
            {"value": limit.value, "window": WINDOW, "max": limit.max_failures},
        ).one()
        if row.failures >= limit.max_failures:
            raise RateLimited(max(1, math.ceil(float(row.wait))))


def record(session: Session, *, email: str, ip_address: str, succeeded: bool) -> None:
    session.execute(
        text(
            "INSERT INTO login_attempts (email, ip_address, succeeded)"
            " VALUES (:email, :ip, :succeeded)"
        ),
        {"email": email, "ip": ip_address, "succeeded": succeeded},
    )
    # Keep the table small: nothing older than the window is ever consulted.
    session.execute(
        text("DELETE FROM login_attempts WHERE attempted_at < now() - :keep"),
        {"keep": WINDOW * 4},
    )
