"""Live events get a durable, ordered id: the `live_events` table.

Until now the triggers' NOTIFY payloads existed only in flight, so a browser that reconnected
to another worker, or after the app or the database restarted, could only be told to refetch
everything. Now `live_emit` writes each event (the same ids-only fields, and the same collapse
into one `bulk` row past 100 per transaction) into `live_events`, and a deferred constraint
trigger numbers the rows and sends the NOTIFY at commit time.

Why at commit time: a sequence value taken when the row is inserted follows insert order, not
commit order, so a reader that saw event 11 might later find an event 10 that committed after
it, and a replay "after 11" would miss it. The commit trigger takes a transaction advisory
lock, then the next `seq`; the lock is released only after the commit is visible, so every
event with a larger `seq` committed later, and "everything after seq N" is exact. The lock is
held from the first event row's commit trigger to the end of the commit (microseconds of a
row update and a NOTIFY per event), not for the writing transaction's life.

`seq` is never shown to a browser as it is (a counter shared by every tenant would tell a
client how busy the others are): the app sends it encrypted under a key only the owner can
read (live/ids.py). A client replays only rows of its own client (RLS, below); internal users
replay everything, `bulk` rows included. Rows older than a day are pruned by a job.

Revision ID: 0016_live_events
Revises: 0011_merge
Create Date: 2026-11-29
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0016_live_events"
down_revision: str | None = "0011_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"
CLIENT = "support_analytics_client"
LIMIT = 100
_SENT = "support_analytics.live_sent"
# pg_advisory_xact_lock(int, int) keys: a lock space apart from the bigint keys used elsewhere.
LOCK_KEYS = (21313, 16)

_TABLE = """
CREATE TABLE live_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq bigint UNIQUE,
    kind text NOT NULL CHECK (kind IN ('ticket', 'message', 'feedback', 'bulk')),
    op text NOT NULL DEFAULT '',
    row_id bigint,
    ticket_id integer,
    client_id integer,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE live_events_seq AS bigint OWNED BY live_events.seq;
-- A client's replay: its own rows after a seq, in order.
CREATE INDEX idx_live_events_client_seq ON live_events (client_id, seq);
CREATE INDEX idx_live_events_created ON live_events (created_at);
"""

EMIT = f"""
CREATE OR REPLACE FUNCTION live_emit(payload jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
  state text := coalesce(nullif(current_setting('{_SENT}', true), ''), '0');
  sent integer;
BEGIN
  IF state = 'bulk' THEN
    RETURN;
  END IF;
  sent := state::integer;
  IF sent >= {LIMIT} THEN
    -- From here on the triggers' WHEN clause skips every row of this transaction.
    PERFORM set_config('{_SENT}', 'bulk', true);
    INSERT INTO public.live_events (kind, op) VALUES ('bulk', 'bulk');
    RETURN;
  END IF;
  PERFORM set_config('{_SENT}', (sent + 1)::text, true);
  INSERT INTO public.live_events (kind, op, row_id, ticket_id, client_id)
  VALUES (payload->>'kind', coalesce(payload->>'op', ''), (payload->>'id')::bigint,
          (payload->>'ticket_id')::integer, (payload->>'client_id')::integer);
END $$;
"""

COMMIT = f"""
CREATE FUNCTION live_events_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM pg_advisory_xact_lock({LOCK_KEYS[0]}, {LOCK_KEYS[1]});
  n := nextval('public.live_events_seq');
  UPDATE public.live_events SET seq = n WHERE id = NEW.id;
  PERFORM pg_notify(
    (SELECT name FROM public.live_channel),
    jsonb_build_object('kind', NEW.kind, 'op', NEW.op, 'id', NEW.row_id,
                       'ticket_id', NEW.ticket_id, 'client_id', NEW.client_id, 'seq', n)::text);
  RETURN NULL;
END $$;
"""

RLS_TABLES = ("live_events",)

# (name, table, command, role, USING, WITH CHECK), as in 0007_ticket_events.
POLICIES: tuple[tuple[str, str, str, str, str | None, str | None], ...] = (
    (
        "live_events_internal_select",
        "live_events",
        "SELECT",
        INTERNAL,
        "(SELECT sa_session_is_internal())",
        None,
    ),
    (
        "live_events_client_select",
        "live_events",
        "SELECT",
        CLIENT,
        "client_id = (SELECT sa_session_client_id())",
        None,
    ),
)


def _policy(policy: tuple[str, str, str, str, str | None, str | None]) -> str:
    name, table, command, role, using, check = policy
    sql = f"CREATE POLICY {name} ON {table} AS PERMISSIVE FOR {command} TO {role}"
    if using is not None:
        sql += f" USING ({using})"
    if check is not None:
        sql += f" WITH CHECK ({check})"
    return sql


def upgrade() -> None:
    op.execute(_TABLE)
    op.execute(COMMIT)
    op.execute(
        "CREATE CONSTRAINT TRIGGER live_events_commit AFTER INSERT ON live_events "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION live_events_commit()"
    )
    op.execute(EMIT)
    op.execute("REVOKE ALL ON FUNCTION live_emit(jsonb) FROM PUBLIC")
    op.execute("REVOKE ALL ON FUNCTION live_events_commit() FROM PUBLIC")
    for table in RLS_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for policy in POLICIES:
        op.execute(_policy(policy))
    op.execute("REVOKE ALL ON live_events FROM PUBLIC")
    op.execute(f"GRANT SELECT ON live_events TO {INTERNAL}, {CLIENT}")


def _hardening() -> ModuleType:
    """0006_hardening's module, for putting back its `live_emit`."""
    filename = "20261129_0006_hardening.py"
    spec = importlib.util.spec_from_file_location(filename, Path(__file__).with_name(filename))
    if spec is None or spec.loader is None:
        raise RuntimeError(f"migration {filename} not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    # 0006_hardening's live_emit: NOTIFY straight from the writing transaction.
    op.execute(_hardening().LIVE_EMIT)
    op.execute("DROP TABLE live_events")
    op.execute("DROP FUNCTION live_events_commit()")
