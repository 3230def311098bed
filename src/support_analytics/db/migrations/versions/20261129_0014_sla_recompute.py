"""SLA recompute as a job: a policy or calendar edit no longer rebuilds every ticket's SLA
inside its own transaction (169 s at 1M tickets, no progress).

- `sla_recompute`: one row per request, with its progress: `queued` -> `running` -> `done`,
  or `superseded` when a later edit asked again before it finished. `last_ticket_id` and
  `done` count the tickets recomputed so far; `total` is the ticket count when it started.
- `sla_apply_dirty()` (the deferred trigger at the edit's commit) still rebuilds the edited
  calendars' boundary rows (seconds), then supersedes any unfinished request, adds a queued
  one and defers the `sla.recompute` job in the same transaction: the job exists exactly
  when the edit commits, whoever wrote it (API, admin page, psql).
- `sla_recompute_batch(request, size)`: recomputes the next `size` tickets by id, set-based,
  in the caller's transaction, and says `more`, `done` or `stopped` (superseded). It first
  locks the batch's tickets, their facts, clients and types `FOR SHARE`, so a concurrent
  write either committed before (and the refresh's fresh snapshot sees it) or waits and its
  own trigger refresh runs after the batch commits: no batch writes a stale row.

Readers: internal users read `sla_recompute` (the SLA numbers say they are being
recomputed while a request is unfinished); nobody but the owner's functions writes it.

Revision ID: 0014_sla_recompute
Revises: 0011_merge
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_sla_recompute"
down_revision: str | None = "0011_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERNAL = "support_analytics_internal"
RLS_TABLES = ("sla_recompute",)
# (name, table, command, role, USING, WITH CHECK), as in 0009.
POLICIES = (
    (
        "sla_recompute_internal_select",
        "sla_recompute",
        "SELECT",
        INTERNAL,
        "(SELECT sa_session_is_internal())",
        None,
    ),
)

_TABLE = f"""
CREATE TABLE sla_recompute (
    id bigserial PRIMARY KEY,
    requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at timestamptz,
    finished_at timestamptz,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'done', 'superseded')),
    last_ticket_id integer NOT NULL DEFAULT 0,
    done bigint NOT NULL DEFAULT 0,
    total bigint
);
CREATE INDEX idx_sla_recompute_unfinished ON sla_recompute (id)
    WHERE status IN ('queued', 'running');
ALTER TABLE sla_recompute ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_recompute FORCE ROW LEVEL SECURITY;
CREATE POLICY {POLICIES[0][0]} ON sla_recompute AS PERMISSIVE FOR SELECT
    TO {INTERNAL} USING ({POLICIES[0][4]});
REVOKE ALL ON sla_recompute FROM PUBLIC;
GRANT SELECT ON sla_recompute TO {INTERNAL};
"""

_APPLY = """
CREATE OR REPLACE FUNCTION sla_apply_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
  request bigint;
BEGIN
  -- Once per transaction: the first deferred event does the work, later ones find nothing.
  IF NOT EXISTS (SELECT 1 FROM sla_dirty) THEN
    RETURN NULL;
  END IF;
  PERFORM business_calendar_rebuild(d.calendar_id) FROM sla_dirty d WHERE d.calendar_id > 0;
  DELETE FROM sla_dirty;
  UPDATE sla_recompute SET status = 'superseded', finished_at = clock_timestamp()
  WHERE status IN ('queued', 'running');
  INSERT INTO sla_recompute DEFAULT VALUES RETURNING id INTO request;
  -- One job at a time (lock); a superseded one stops at its next batch.
  PERFORM procrastinate_defer_jobs_v1(ARRAY[ROW(
    'sla', 'sla.recompute', 0, 'sla.recompute', NULL,
    jsonb_build_object('request_id', request), NULL)::procrastinate_job_to_defer_v1]);
  RETURN NULL;
END $fn$;
"""

_BATCH = """
CREATE FUNCTION sla_recompute_batch(p_request bigint, p_size integer) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
  r sla_recompute;
  ids integer[];
BEGIN
  SELECT * INTO r FROM sla_recompute WHERE id = p_request FOR UPDATE;
  IF NOT FOUND OR r.status NOT IN ('queued', 'running') THEN
    RETURN 'stopped';
  END IF;
  IF r.status = 'queued' THEN
    UPDATE sla_recompute
    SET status = 'running', started_at = clock_timestamp(), total = (SELECT count(*) FROM tickets)
    WHERE id = p_request;
  END IF;
  ids := ARRAY(SELECT id FROM tickets WHERE id > r.last_ticket_id ORDER BY id LIMIT p_size
               FOR SHARE);
  PERFORM 1 FROM ticket_response_facts WHERE ticket_id = ANY(ids) FOR SHARE;
  PERFORM 1 FROM clients
  WHERE id IN (SELECT client_id FROM tickets WHERE id = ANY(ids)) FOR SHARE;
  PERFORM 1 FROM ticket_types FOR SHARE;
  -- A new statement, so a new snapshot: every write the locks waited for is visible.
  PERFORM ticket_sla_refresh(ids);
  IF cardinality(ids) < p_size THEN
    UPDATE sla_recompute
    SET status = 'done', finished_at = clock_timestamp(), done = done + cardinality(ids),
        total = greatest(total, done + cardinality(ids)),
        last_ticket_id = coalesce(ids[cardinality(ids)], last_ticket_id)
    WHERE id = p_request;
    RETURN 'done';
  END IF;
  UPDATE sla_recompute
  SET done = done + cardinality(ids), last_ticket_id = ids[cardinality(ids)]
  WHERE id = p_request;
  RETURN 'more';
END $fn$;
REVOKE ALL ON FUNCTION sla_recompute_batch(bigint, integer) FROM PUBLIC;
"""

_OLD_APPLY = """
CREATE OR REPLACE FUNCTION sla_apply_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sla_dirty) THEN
    RETURN NULL;
  END IF;
  PERFORM business_calendar_rebuild(d.calendar_id) FROM sla_dirty d WHERE d.calendar_id > 0;
  DELETE FROM sla_dirty;
  PERFORM ticket_sla_rebuild();
  RETURN NULL;
END $fn$;
"""


def upgrade() -> None:
    op.execute(_TABLE)
    op.execute(_APPLY)
    op.execute(_BATCH)


def downgrade() -> None:
    op.execute(_OLD_APPLY)
    op.execute("DROP FUNCTION IF EXISTS sla_recompute_batch(bigint, integer)")
    op.execute("DROP TABLE IF EXISTS sla_recompute")
