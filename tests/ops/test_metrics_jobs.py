"""/metrics shows the job queue's depth: jobs waiting and running per queue."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from support_analytics.db.engine import Database

LOOPBACK = ("127.0.0.1", 50000)
QUEUE = "metrics_depth"


def _depth(app: FastAPI, status: str) -> float:
    response = TestClient(app, client=LOOPBACK).get("/metrics")
    assert response.status_code == 200
    series = f'support_analytics_job_queue_depth{{queue="{QUEUE}",status="{status}"}}'
    match = re.search(rf"^{re.escape(series)} (\S+)$", response.text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_job_queue_depth_counts_waiting_and_running_jobs_per_queue(
    auth_app: FastAPI, owner_database: Database
) -> None:
    assert _depth(auth_app, "todo") == 0
    try:
        with owner_database.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status)"
                    " SELECT :queue, 'noop', '{}', s::procrastinate_job_status"
                    " FROM unnest(ARRAY['todo', 'todo', 'todo', 'doing', 'failed']) AS s"
                ),
                {"queue": QUEUE},
            )
        assert _depth(auth_app, "todo") == 3
        assert _depth(auth_app, "doing") == 1
        assert _depth(auth_app, "failed") == 0  # finished, not queue depth
    finally:
        with owner_database.engine.begin() as conn:
            conn.execute(text("DELETE FROM procrastinate_jobs WHERE queue_name = :q"), {"q": QUEUE})
