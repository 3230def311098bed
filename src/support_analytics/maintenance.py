"""Maintenance around the data, above the layers it touches (the loaders in `db/` load and
count; the rollups are analytics'): what runs after a bulk load and once at start-up.

- `after_bulk_load`: the CLI calls it after `db load-reference` / `db generate`: rollups
  rebuilt from the raw tables in the reporting zone, then vacuumed (fresh statistics and a
  visibility map). Until it runs the rollups are marked stale (the loads TRUNCATE tickets),
  so every view reads the raw tables: correct, only slower.
- `at_startup`: rollups fresh for the reporting zone (rebuilt once per deployment: the first
  process takes an advisory lock, the others find them fresh), form-submission tokens past
  their use expired, and the activity log backfilled if a TRUNCATE left it waiting.
- `rollups_ready`: what `/readyz` asks.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy.orm import Session

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


def after_bulk_load(libpq_url: str, timezone: str) -> None:
    """Rebuild the rollups in `timezone` and vacuum them (a load leaves them stale)."""
    rollups.ensure_fresh(libpq_url, timezone, force=True)


def at_startup(libpq_url: str, timezone: str) -> None:
    """Run by every server process as it starts (several workers may run it at once)."""
    rollups.ensure_fresh(libpq_url, timezone)
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        expire_submission_tokens(conn)
        # A no-op unless a TRUNCATE of tickets outside the loaders left the activity log off.
        events.backfill(conn)


def rollups_ready(session: Session, timezone: str) -> bool:
    """Whether the rollups are fresh and bucketed in `timezone` (else views read raw tables)."""
    return rollups.usable(session, ZoneInfo(timezone))
