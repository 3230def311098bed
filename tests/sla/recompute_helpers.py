"""Finishing the SLA recompute a policy or calendar edit queued: the real job worker, run
until no job is due."""

from __future__ import annotations

import psycopg

from support_analytics.db.engine import libpq_url
from tests.jobs.helpers import run_worker_until_idle


def finish_recompute(url: str) -> None:
    run_worker_until_idle(url)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        row = conn.execute(
            b"SELECT count(*) FROM sla_recompute WHERE status IN ('queued', 'running')"
        ).fetchone()
    assert row is not None
    assert row[0] == 0
