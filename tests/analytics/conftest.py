"""One database per test module: the reference data plus edits for the edge cases the seed
never produces (unassigned and `closed` tickets, NULL priorities, a rating-less feedback, a
client and a team member without tickets, a day without tickets, tickets still young enough
not to be overdue yet). The edits are plain SQL as the owner, so the rollup triggers keep up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from support_analytics import maintenance
from support_analytics.db import generate, migrate
from support_analytics.db.engine import libpq_url
from tests.conftest import PgServer

EDGE_CASES = """
UPDATE tickets SET assigned_to = NULL WHERE id % 37 = 0;
UPDATE tickets SET status = 'closed', closed_at = resolved_at + interval '2 hours'
  WHERE id % 41 = 0 AND status = 'resolved';
UPDATE tickets SET priority = NULL WHERE id % 53 = 0;
INSERT INTO clients (client_name, email, status, plan_type)
  VALUES ('Quiet Co', 'quiet@example.com', 'active', 'starter');
INSERT INTO team_members (username, email, department)
  VALUES ('new_hire', 'new.hire@example.com', 'support');
DELETE FROM ticket_messages WHERE ticket_id IN
  (SELECT id FROM tickets WHERE (created_at AT TIME ZONE 'UTC')::date = '2025-03-14');
DELETE FROM ticket_feedback WHERE ticket_id IN
  (SELECT id FROM tickets WHERE (created_at AT TIME ZONE 'UTC')::date = '2025-03-14');
DELETE FROM tickets WHERE (created_at AT TIME ZONE 'UTC')::date = '2025-03-14';
INSERT INTO ticket_feedback (ticket_id, rating, feedback_text)
  SELECT id, NULL, 'no stars given' FROM tickets
  WHERE status = 'resolved' AND id NOT IN (SELECT ticket_id FROM ticket_feedback) LIMIT 3;
INSERT INTO tickets (client_id, assigned_to, ticket_type_id, status, priority, title, created_at)
  SELECT 1 + g % 50, CASE WHEN g % 3 = 0 THEN NULL ELSE 1 + g % 15 END, 1 + g % 14,
         CASE WHEN g % 2 = 0 THEN 'open' ELSE 'in_progress' END,
         (ARRAY['low', 'medium', 'high', 'urgent'])[1 + g % 4], 'young ticket ' || g,
         now() - g * interval '37 minutes'
  FROM generate_series(1, 120) g;
"""


@contextmanager
def edge_case_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    """SQLAlchemy URL of a throwaway copy of the reference database with EDGE_CASES applied."""
    with pg_server.scratch_database("sa_edges", template=template_database) as url:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute(EDGE_CASES.encode())
        yield url


@contextmanager
def generated_edge_case_database(pg_server: PgServer, tickets: int) -> Iterator[str]:
    """SQLAlchemy URL of a throwaway migrated database with `tickets` generated tickets (reply
    delays drawn per ticket, so nearly every first response time is distinct) and EDGE_CASES
    applied: small enough that an oracle query costs a few milliseconds."""
    with pg_server.scratch_database("sa_gen") as url:
        migrate.upgrade(url)
        raw = libpq_url(url)
        generate.generate(raw, tickets=tickets, random_seed=14, zone="UTC")
        maintenance.after_bulk_load(raw, "UTC")
        with psycopg.connect(raw, autocommit=True) as conn:
            conn.execute(EDGE_CASES.encode())
        yield url


@pytest.fixture(scope="module")
def analytics_database(pg_server: PgServer, template_database: str) -> Iterator[str]:
    with edge_case_database(pg_server, template_database) as url:
        yield url
