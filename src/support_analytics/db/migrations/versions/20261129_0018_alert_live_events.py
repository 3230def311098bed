"""Alert notifications become stored live events: `live_events.kind` may be `alert`.

The in-app notification of a firing was a bare NOTIFY on the live channel, so it had no `seq`,
no id on the wire, and a page that reconnected with `Last-Event-ID` never got it. Now the
delivery inserts an `alert` row (row_id = the firing) into `live_events` in the firing's own
transaction, and the commit trigger of 0016_live_events numbers it and sends the NOTIFY like
any other event.

Who may read an alert row is what the existing policies already say: internal users read
every row, a client only rows whose `client_id` is its own. An alert row therefore must never
carry a client id, and a second check says so: a row that did would be replayed to that
client.

Revision ID: 0018_alert_events
Revises: 0017_merge
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_alert_events"
down_revision: str | None = "0017_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND_CHECK = "live_events_kind_check"
ALERT_CHECK = "live_events_alert_no_client"


def upgrade() -> None:
    op.execute(f"ALTER TABLE live_events DROP CONSTRAINT {KIND_CHECK}")
    op.execute(
        f"ALTER TABLE live_events ADD CONSTRAINT {KIND_CHECK}"
        " CHECK (kind IN ('ticket', 'message', 'feedback', 'bulk', 'alert'))"
    )
    op.execute(
        f"ALTER TABLE live_events ADD CONSTRAINT {ALERT_CHECK}"
        " CHECK (kind <> 'alert' OR client_id IS NULL)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM live_events WHERE kind = 'alert'")
    op.execute(f"ALTER TABLE live_events DROP CONSTRAINT {ALERT_CHECK}")
    op.execute(f"ALTER TABLE live_events DROP CONSTRAINT {KIND_CHECK}")
    op.execute(
        f"ALTER TABLE live_events ADD CONSTRAINT {KIND_CHECK}"
        " CHECK (kind IN ('ticket', 'message', 'feedback', 'bulk'))"
    )
