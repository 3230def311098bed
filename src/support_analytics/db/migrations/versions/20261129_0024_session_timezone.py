"""Two changes. The statement that resolves a request's session also returns the reader's
timezone, so a page's identity, role, claims and display zone come back in one round trip
(before, the first page that showed a time read `user_preferences` in a second statement).

`sa_resolve_session(interval)` gains an OUT column, `timezone` (NULL: the reporting
timezone). PostgreSQL cannot change a function's result type in place, so it is dropped and
created again; the EXECUTE grants it had are read first and given back to exactly the same
roles (the request roles, and the authenticator login where this database has one), and
PUBLIC gets nothing, as before. Still SECURITY DEFINER with the same pinned search_path.

The alert webhooks' HMAC key moves from its own table, `alert_signing_key`, to
`signing_keys` (purpose `alert-webhook`), the table of the app's other signing key: one table
of keys, one row per purpose. The key's bytes are copied, not made anew, so every webhook
secret already handed out (derived from the key and the endpoint's salt) stays valid. Both
tables are the owner's only: row-level security on, no grant to any request role.

Revision ID: 0024_session_timezone
Revises: 0021_client_response_facts
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024_session_timezone"
down_revision: str | None = "0021_client_response_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BODY = """
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
    SELECT u.id, u.email, u.kind, u.role, u.client_id, u.team_member_id, u.display_name{extra}
      FROM public.sessions s JOIN public.users u ON u.id = s.user_id{join}
     WHERE s.token_hash = v_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.status = 'active';
END
$$;
"""

_COLUMNS = """
    user_id integer, email text, kind text, role text, client_id integer,
    team_member_id integer, display_name text{extra}
"""

WITH_TIMEZONE = (
    "CREATE FUNCTION sa_resolve_session(p_ttl interval)"
    f" RETURNS TABLE ({_COLUMNS.format(extra=', timezone text')})"
    + _BODY.format(
        extra=", p.timezone",
        join="\n      LEFT JOIN public.user_preferences p ON p.user_id = u.id",
    )
)
WITHOUT_TIMEZONE = (
    "CREATE FUNCTION sa_resolve_session(p_ttl interval)"
    f" RETURNS TABLE ({_COLUMNS.format(extra='')})" + _BODY.format(extra="", join="")
)


def _recreate(create: str) -> None:
    """Drop and create the function again with the EXECUTE grants it had (owner aside)."""
    op.execute(
        """
        CREATE TEMPORARY TABLE sa_resolve_session_grantees AS
        SELECT a.grantee::regrole::text AS grantee
          FROM pg_proc p, aclexplode(p.proacl) a
         WHERE p.oid = 'sa_resolve_session(interval)'::regprocedure
           AND a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner
        """
    )
    op.execute("DROP FUNCTION sa_resolve_session(interval)")
    op.execute(create)
    op.execute("REVOKE ALL ON FUNCTION sa_resolve_session(interval) FROM PUBLIC")
    op.execute(
        """
        DO $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT grantee FROM sa_resolve_session_grantees LOOP
            EXECUTE format('GRANT EXECUTE ON FUNCTION sa_resolve_session(interval) TO %s',
                           r.grantee);
          END LOOP;
        END $$
        """
    )
    op.execute("DROP TABLE sa_resolve_session_grantees")


ALERT_KEY_IN_SIGNING_KEYS = """
INSERT INTO signing_keys (purpose, key) SELECT 'alert-webhook', key FROM alert_signing_key;
DROP TABLE alert_signing_key;
"""
ALERT_KEY_IN_ITS_OWN_TABLE = """
CREATE TABLE alert_signing_key (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    key bytea NOT NULL
);
INSERT INTO alert_signing_key (key) SELECT key FROM signing_keys WHERE purpose = 'alert-webhook';
DELETE FROM signing_keys WHERE purpose = 'alert-webhook';
REVOKE ALL ON alert_signing_key FROM PUBLIC;
ALTER TABLE alert_signing_key ENABLE ROW LEVEL SECURITY;
"""


def upgrade() -> None:
    _recreate(WITH_TIMEZONE)
    op.execute(ALERT_KEY_IN_SIGNING_KEYS)


def downgrade() -> None:
    op.execute(ALERT_KEY_IN_ITS_OWN_TABLE)
    _recreate(WITHOUT_TIMEZONE)
