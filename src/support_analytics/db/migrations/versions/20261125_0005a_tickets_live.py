"""Tickets: idempotent-create tokens and the live-update triggers.

`ticket_submissions` remembers which new-ticket form token made which ticket, so a double
submit creates one ticket. The triggers NOTIFY `support_analytics_events` after ticket,
message and feedback writes with ids and `client_id` only (never text). A transaction that
writes more than LIMIT rows sends one `bulk` event instead: a reference load or the generator
must not queue millions of notifications.

Revision ID: 0005_tickets
Revises: 0002
Depends on: 0003_identity (the session functions the token policy calls)
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_tickets"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0003_identity"

CHANNEL = "support_analytics_events"
CLIENT = "support_analytics_client"
INTERNAL = "support_analytics_internal"
LIMIT = 100

_SENT = "support_analytics.live_sent"

EMIT = f"""
CREATE FUNCTION live_emit(payload jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
  state text := coalesce(nullif(current_setting('{_SENT}', true), ''), '0');
  sent integer;
BEGIN
  -- AFTER ROW triggers of one statement run after all its rows are written, so rows queued
  -- before the switch to bulk still arrive here.
  IF state = 'bulk' THEN
    RETURN;
  END IF;
  sent := state::integer;
  IF sent >= {LIMIT} THEN
    -- From here on the triggers' WHEN clause skips every row of this transaction.
    PERFORM set_config('{_SENT}', 'bulk', true);
    PERFORM pg_notify('{CHANNEL}', '{{"kind":"bulk","op":"bulk"}}');
    RETURN;
  END IF;
  PERFORM set_config('{_SENT}', (sent + 1)::text, true);
  PERFORM pg_notify('{CHANNEL}', payload::text);
END $$;
"""

# SECURITY DEFINER: finding a message's client must not depend on what the writer's RLS lets
# it read; the functions only ever send ids.
PAYLOADS = {
    "tickets": "jsonb_build_object('kind', 'ticket', 'op', lower(TG_OP), 'id', NEW.id, "
    "'ticket_id', NEW.id, 'client_id', NEW.client_id)",
    "ticket_messages": "jsonb_build_object('kind', 'message', 'op', lower(TG_OP), 'id', NEW.id, "
    "'ticket_id', NEW.ticket_id, 'client_id', "
    "(SELECT t.client_id FROM public.tickets t WHERE t.id = NEW.ticket_id))",
    "ticket_feedback": "jsonb_build_object('kind', 'feedback', 'op', lower(TG_OP), 'id', NEW.id, "
    "'ticket_id', NEW.ticket_id, 'client_id', "
    "(SELECT t.client_id FROM public.tickets t WHERE t.id = NEW.ticket_id))",
}


def _function(table: str, payload: str) -> str:
    return f"""
CREATE FUNCTION live_notify_{table}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM live_emit({payload});
  RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "ticket_submissions",
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id"), primary_key=True),
        sa.Column("token", sa.String(100), primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
    )
    # A client reads and writes only its own client's tokens (same session functions as the
    # identity branch's policies); nobody else needs the table.
    op.execute(f"GRANT SELECT, INSERT (client_id, token) ON ticket_submissions TO {CLIENT}")
    op.execute(f"GRANT UPDATE (ticket_id) ON ticket_submissions TO {CLIENT}")
    op.execute("ALTER TABLE ticket_submissions ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE ticket_submissions FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY ticket_submissions_client ON ticket_submissions FOR ALL TO {CLIENT} "
        "USING (client_id = (SELECT sa_session_client_id())) "
        "WITH CHECK (client_id = (SELECT sa_session_client_id()))"
    )
    op.execute(EMIT)
    for table, payload in PAYLOADS.items():
        op.execute(_function(table, payload))
        # Row triggers with a WHEN clause: once a transaction has gone bulk, rows are not even
        # queued for the trigger, so a 115k-row insert costs a setting lookup per row.
        op.execute(
            f"CREATE TRIGGER live_{table} AFTER INSERT OR UPDATE ON {table} FOR EACH ROW "
            f"WHEN (current_setting('{_SENT}', true) IS DISTINCT FROM 'bulk') "
            f"EXECUTE FUNCTION live_notify_{table}()"
        )


def downgrade() -> None:
    for table in PAYLOADS:
        op.execute(f"DROP TRIGGER IF EXISTS live_{table} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS live_notify_{table}()")
    op.execute("DROP FUNCTION IF EXISTS live_emit(jsonb)")
    op.drop_table("ticket_submissions")
