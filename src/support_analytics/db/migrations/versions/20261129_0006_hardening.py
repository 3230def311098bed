"""Security hardening (issue 12); merges the three heads 0003_identity_login, 0004_doneix and
0005_search.

- Rollup tables (`analytics_cube`, `analytics_resolution`, `analytics_hours_hist`,
  `analytics_rollup_state`) get row-level security like every other table: only a live
  internal session reads them. The maintenance triggers and `analytics_rebuild` are SECURITY
  DEFINER functions of the owner (superuser or BYPASSRLS, see 0003_identity), so they still
  write them.
- `ticket_submissions` gets one policy per command; the UPDATE check requires the ticket to
  be the caller's own, so pointing a token at another tenant's ticket id is refused by the
  policy before the foreign key could tell whether that id exists.
- `sa_resolve_session(p_ttl)` ignores its argument: each session keeps the idle lifetime the
  server gave it at sign-in (`sessions.idle_ttl`, written only by the owner), so a request
  role calling it with 1000 years slides nothing further than a normal request does.
- `live_emit(jsonb)` and `pg_notify(text, text)` are no longer executable by PUBLIC: only the
  owner's trigger functions (SECURITY DEFINER) send events. PostgreSQL has no privilege on the
  NOTIFY and LISTEN commands themselves, so the channel's name becomes the secret: a random
  name in `live_channel`, readable by the owner only; the server's listener (connected as the
  owner) reads it before it LISTENs.
- `ticket_search_ids` narrows to the caller's own tickets first when the caller is a client,
  so a client's search reads only its own tickets and messages, however many rows of other
  tenants match.
- Per-table and per-database activity statistics (`pg_stat_*` views and the
  `pg_stat_get_*(oid)` functions behind them) are revoked from PUBLIC in this database, so
  request roles cannot read other tenants' row counts there. Revoking needs a superuser; a
  non-superuser owner gets a warning and keeps PostgreSQL's defaults.

Revision ID: 0006_hardening
Revises: 0003_identity_login, 0004_doneix, 0005_search
Create Date: 2026-11-29
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0006_hardening"
down_revision: str | Sequence[str] | None = ("0003_identity_login", "0004_doneix", "0005_search")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"
CLIENT = "support_analytics_client"
ANONYMOUS = "support_analytics_anonymous"
AUTHENTICATOR = "support_analytics_authenticator"

ROLLUP_TABLES = (
    "analytics_cube",
    "analytics_resolution",
    "analytics_hours_hist",
    "analytics_rollup_state",
)

_OWN_SUBMISSION = "client_id = (SELECT sa_session_client_id())"
_OWN_TICKET_OR_NONE = (
    "ticket_id IS NULL OR EXISTS (SELECT 1 FROM tickets t WHERE t.id = ticket_submissions.ticket_id"
    " AND t.client_id = (SELECT sa_session_client_id()))"
)

# Same format as 0003_identity.POLICIES (name, table, command, role, USING, WITH CHECK); the
# tests' mutation check drops or loosens each in turn.
POLICIES: tuple[tuple[str, str, str, str, str | None, str | None], ...] = (
    *(
        (
            f"{table}_internal_select",
            table,
            "SELECT",
            INTERNAL,
            "(SELECT sa_session_is_internal())",
            None,
        )
        for table in ROLLUP_TABLES
    ),
    (
        "ticket_submissions_client_select",
        "ticket_submissions",
        "SELECT",
        CLIENT,
        _OWN_SUBMISSION,
        None,
    ),
    (
        "ticket_submissions_client_insert",
        "ticket_submissions",
        "INSERT",
        CLIENT,
        None,
        f"{_OWN_SUBMISSION} AND ticket_id IS NULL",
    ),
    (
        "ticket_submissions_client_update",
        "ticket_submissions",
        "UPDATE",
        CLIENT,
        _OWN_SUBMISSION,
        f"{_OWN_SUBMISSION} AND ({_OWN_TICKET_OR_NONE})",
    ),
)

RESOLVE = """
CREATE OR REPLACE FUNCTION sa_resolve_session(p_ttl interval)
RETURNS TABLE (
    user_id integer, email text, kind text, role text, client_id integer,
    team_member_id integer, display_name text
)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_hash bytea := sha256(convert_to(
        coalesce(current_setting('support_analytics.session_token', true), ''), 'UTF8'));
BEGIN
    -- p_ttl is ignored (kept for the callers' signature): the idle lifetime is the one the
    -- server stored at sign-in, so whoever calls this cannot stretch a session.
    UPDATE public.sessions s
       SET last_seen_at = now(), expires_at = greatest(s.expires_at, now() + s.idle_ttl)
     WHERE s.token_hash = v_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND s.last_seen_at < now() - interval '1 minute';
    RETURN QUERY
    SELECT u.id, u.email, u.kind, u.role, u.client_id, u.team_member_id, u.display_name
      FROM public.sessions s JOIN public.users u ON u.id = s.user_id
     WHERE s.token_hash = v_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.status = 'active';
END
$$;
"""

SEARCH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ticket_search_ids(pattern text) RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_client integer;
BEGIN
  IF sa_session_is_internal() THEN
    -- Internal users see every ticket: the trigram indexes serve the match directly.
    -- EXECUTE plans with the actual pattern; a generic plan cannot pick those indexes.
    RETURN QUERY EXECUTE $q$
      SELECT t.id FROM tickets t WHERE t.title ILIKE $1
      UNION
      SELECT m.ticket_id FROM ticket_messages m WHERE m.message_text ILIKE $1
    $q$ USING pattern;
    RETURN;
  END IF;
  v_client := sa_session_client_id();
  IF v_client IS NULL THEN
    RETURN;
  END IF;
  -- A client: its own tickets first (client_id index), then each one's title and messages
  -- (ticket_id index, LIMIT 1 keeps the lookup per ticket). The trigram indexes would find
  -- every tenant's matches and filter afterwards, so search time would follow other
  -- tenants' data; coalesce() keeps the planner from ANDing them into the per-ticket lookup.
  RETURN QUERY EXECUTE $q$
    WITH own AS MATERIALIZED (SELECT t.id, t.title FROM tickets t WHERE t.client_id = $2)
    SELECT own.id FROM own WHERE own.title ILIKE $1
    UNION
    SELECT own.id FROM own CROSS JOIN LATERAL (
      SELECT 1 FROM ticket_messages m
       WHERE m.ticket_id = own.id AND coalesce(m.message_text, '') ILIKE $1 LIMIT 1) hit
  $q$ USING pattern, v_client;
END $$;
REVOKE ALL ON FUNCTION ticket_search_ids(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ticket_search_ids(text) TO {CLIENT}, {INTERNAL};
"""

# gen_random_uuid() draws from the server's strong random source: 122 unguessable bits.
LIVE_CHANNEL = """
CREATE TABLE live_channel (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  name text NOT NULL
);
INSERT INTO live_channel (name)
  VALUES ('sa_events_' || replace(gen_random_uuid()::text, '-', ''));
REVOKE ALL ON live_channel FROM PUBLIC;
ALTER TABLE live_channel ENABLE ROW LEVEL SECURITY;
ALTER TABLE live_channel FORCE ROW LEVEL SECURITY;
"""


def _live_emit(channel: str) -> str:
    """0005_tickets' live_emit with the channel given as an SQL expression."""
    emit: str = _earlier("20261125_0005a_tickets_live.py").EMIT
    return emit.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION").replace(
        "'support_analytics_events'", channel
    )


# Only a superuser may change the ACL of pg_catalog objects; elsewhere the defaults stay and
# the warning says so. The object lists are read from the catalog so every version's set of
# per-relation and per-database statistics functions is covered.
STATISTICS = """
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT p.oid::regprocedure AS fn FROM pg_proc p
     WHERE p.pronamespace = 'pg_catalog'::regnamespace
       AND p.proname LIKE 'pg\\_stat\\_get\\_%'
       AND p.pronargs = 1 AND p.proargtypes[0] = 'oid'::regtype
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', r.fn);
  END LOOP;
  FOR r IN
    SELECT c.oid::regclass AS view FROM pg_class c
     WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
       AND (c.relname LIKE 'pg\\_stat\\_%' OR c.relname LIKE 'pg\\_statio\\_%')
       AND c.relname ~ '(tables|indexes|sequences|functions|database|database_conflicts)$'
  LOOP
    EXECUTE format('REVOKE SELECT ON %s FROM PUBLIC', r.view);
  END LOOP;
  REVOKE EXECUTE ON FUNCTION pg_notify(text, text) FROM PUBLIC;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'statistics views and pg_notify keep PostgreSQL''s default grants (%): '
    'request roles can read per-table row counts and send notifications; see '
    'docs/security.md', SQLERRM;
END $$
"""


def _earlier(filename: str) -> ModuleType:
    """An earlier revision's module, for putting back the function versions it created."""
    spec = importlib.util.spec_from_file_location(filename, Path(__file__).with_name(filename))
    if spec is None or spec.loader is None:
        raise RuntimeError(f"migration {filename} not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LIVE_EMIT = _live_emit("(SELECT name FROM public.live_channel)")


def upgrade() -> None:
    for table in ROLLUP_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute("DROP POLICY IF EXISTS ticket_submissions_client ON ticket_submissions")
    policy_sql = _earlier("20261125_0003a_identity_users_rls.py").policy_sql
    for name, table, command, role, using, check in POLICIES:
        op.execute(
            policy_sql(name=name, table=table, command=command, role=role, using=using, check=check)
        )

    # Existing sessions keep the default lifetime; new ones get the server's setting.
    op.execute(
        "ALTER TABLE sessions ADD COLUMN idle_ttl interval NOT NULL DEFAULT interval '7 days'"
        " CONSTRAINT sessions_idle_ttl_check CHECK (idle_ttl > interval '0')"
    )
    op.execute(RESOLVE)

    op.execute(LIVE_CHANNEL)
    op.execute(LIVE_EMIT)
    op.execute("REVOKE ALL ON FUNCTION live_emit(jsonb) FROM PUBLIC")
    op.execute(SEARCH_FUNCTION)
    op.execute(STATISTICS)


def downgrade() -> None:
    op.execute(_live_emit("'support_analytics_events'"))
    op.execute("REVOKE ALL ON FUNCTION live_emit(jsonb) FROM PUBLIC")
    op.execute("DROP TABLE live_channel")
    op.execute(_earlier("20261125_0005b_search_trigram_indexes.py").SEARCH_FUNCTION)
    op.execute(RESOLVE.replace("now() + s.idle_ttl", "now() + p_ttl"))
    op.execute(
        """
        DO $$ BEGIN
          GRANT EXECUTE ON FUNCTION pg_notify(text, text) TO PUBLIC;
        EXCEPTION WHEN insufficient_privilege THEN NULL;
        END $$
        """
    )
    op.execute("GRANT EXECUTE ON FUNCTION live_emit(jsonb) TO PUBLIC")
    op.execute("ALTER TABLE sessions DROP COLUMN idle_ttl")
    for name, table, *_ in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
    op.execute(
        f"CREATE POLICY ticket_submissions_client ON ticket_submissions FOR ALL TO {CLIENT} "
        "USING (client_id = (SELECT sa_session_client_id())) "
        "WITH CHECK (client_id = (SELECT sa_session_client_id()))"
    )
    for table in ROLLUP_TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
