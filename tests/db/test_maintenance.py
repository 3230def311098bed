"""Start-up maintenance (issue 11, item 12): stale rollups are rebuilt once however many
worker processes start together, and old form-submission tokens are expired."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg

from support_analytics import maintenance
from support_analytics.analytics import rollups
from support_analytics.db.engine import libpq_url

WORKERS = 3


def test_stale_rollups_are_rebuilt_once_by_concurrent_workers(fresh_database: str) -> None:
    url = libpq_url(fresh_database)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE analytics_rollup_state SET fresh = false")
        row = conn.execute("SELECT timezone FROM analytics_rollup_state").fetchone()
        assert row is not None
    timezone = str(row[0])
    start = threading.Barrier(WORKERS)

    def worker() -> bool:
        start.wait(timeout=30)
        return rollups.ensure_fresh(url, timezone)

    with ThreadPoolExecutor(WORKERS) as pool:
        rebuilt = list(pool.map(lambda _: worker(), range(WORKERS)))
    assert rebuilt.count(True) == 1
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT fresh FROM analytics_rollup_state").fetchone() == (True,)


def test_old_submission_tokens_expire_at_start_up(fresh_database: str) -> None:
    url = libpq_url(fresh_database)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO ticket_submissions (client_id, token, ticket_id, created_at) VALUES "
            "(1, 'old-refused', NULL, now() - interval '2 days'), "
            "(1, 'old-used', 1, now() - interval '25 hours'), "
            "(1, 'recent', NULL, now() - interval '1 hour')"
        )
    maintenance.at_startup(url, "UTC")
    with psycopg.connect(url) as conn:
        tokens = [r[0] for r in conn.execute("SELECT token FROM ticket_submissions")]
    assert tokens == ["recent"]
