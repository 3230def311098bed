"""What a server does once at start-up, before it takes requests: rollups fresh for the
reporting timezone, form-submission tokens past their use expired, and the activity log
backfilled if a TRUNCATE of tickets left it waiting for one."""

from __future__ import annotations

import psycopg

from support_analytics.analytics import rollups
from support_analytics.tickets import events

# A token only has to outlive a double click or a client's retries; after a day the same
# form submitted again is a new ticket. Refused forms leave unused tokens: they go too.
SUBMISSION_LIFETIME = "24 hours"


def expire_submission_tokens(conn: psycopg.Connection[tuple[int]]) -> int:
    """Delete tokens older than SUBMISSION_LIFETIME; returns how many."""
    deleted = conn.execute(
        "DELETE FROM ticket_submissions WHERE created_at < now() - %s::interval",
        (SUBMISSION_LIFETIME,),
    )
    return deleted.rowcount


def at_startup(libpq_url: str, timezone: str) -> None:
    """Run by every server process as it starts (several workers may run it at once)."""
    rollups.ensure_fresh(libpq_url, timezone)
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        expire_submission_tokens(conn)
        # A no-op unless a TRUNCATE of tickets outside the loaders left the activity log off.
        events.backfill(conn)
