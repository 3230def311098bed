"""Ticket search through trigram indexes: `ticket_search_ids(pattern)`.

A revision of its own because databases upgraded to 0005_tickets before search existed must
get it too (an edited, already-applied migration would never run again there). Every
statement tolerates a database that already has these objects.

Revision ID: 0005_search
Revises: 0005_tickets
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_search"
down_revision: str | None = "0005_tickets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENT = "support_analytics_client"
INTERNAL = "support_analytics_internal"

# Text search (`q`) is ILIKE '%...%' over titles and message text; trigram indexes serve it.
# pg_trgm ships with PostgreSQL's contrib (and the embedded server); where it is missing or may
# not be created, search still works, by scanning.
TRIGRAM_INDEXES = """
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS idx_tickets_title_trgm ON tickets USING gin (title gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS idx_ticket_messages_text_trgm
        ON ticket_messages USING gin (message_text gin_trgm_ops);
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'pg_trgm not created (%): ticket search will scan', SQLERRM;
END $$
"""


# Row-level security keeps non-leakproof operators such as ILIKE away from indexes, so under a
# request role every search scanned both tables. This function matches with the indexes as the
# owner and applies the same visibility rule as the policies itself (internal: all; client: its
# own client's tickets), and callers still read the tickets through RLS.
SEARCH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ticket_search_ids(pattern text) RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  -- EXECUTE plans with the actual pattern; a generic plan cannot pick the trigram indexes.
  RETURN QUERY EXECUTE $q$
    SELECT t.id FROM tickets t
     WHERE t.title ILIKE $1
       AND ((SELECT sa_session_is_internal()) OR t.client_id = (SELECT sa_session_client_id()))
    UNION
    SELECT m.ticket_id FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
     WHERE m.message_text ILIKE $1
       AND ((SELECT sa_session_is_internal()) OR t.client_id = (SELECT sa_session_client_id()))
  $q$ USING pattern;
END $$;
REVOKE ALL ON FUNCTION ticket_search_ids(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ticket_search_ids(text) TO {CLIENT}, {INTERNAL};
"""


def upgrade() -> None:
    op.execute(TRIGRAM_INDEXES)
    op.execute(SEARCH_FUNCTION)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS ticket_search_ids(text)")
    op.execute("DROP INDEX IF EXISTS idx_ticket_messages_text_trgm")
    op.execute("DROP INDEX IF EXISTS idx_tickets_title_trgm")
