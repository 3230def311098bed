"""`support-analytics serve --workers 2` brings both workers up, and a worker does not import
the command line before it can answer the supervisor's health check.

uvicorn's supervisor pings each worker over a pipe and kills one that does not answer within
SUPPORT_ANALYTICS_WORKER_START_SECONDS. A worker answers from a thread it starts only after
multiprocessing has re-run the parent's main module; under the `support-analytics` console
script that was the whole CLI (bench, db, users: as heavy as the app), so on a busy machine a
worker could be killed before it ever started. The import log (PYTHONPROFILEIMPORTTIME, which
every worker inherits) shows who imported what: the CLI's bench module once (the supervisor),
not three times.
"""

from __future__ import annotations

import re

import pytest

from tests.load.serve_process import serve

pytestmark = pytest.mark.timeout(900)

STARTED = re.compile(r"Started server process \[(\d+)\]")


def _serve_two_workers(database_url: str, *, profile_imports: bool) -> str:
    """Start with two workers (bounded), check /healthz, stop; returns the log."""
    env = {"PYTHONPROFILEIMPORTTIME": "1"} if profile_imports else {}
    with serve(database_url, workers=2, env=env) as served:
        pass
    return served.text()


def _both_workers_started(text: str) -> None:
    workers = set(STARTED.findall(text))
    assert len(workers) == 2, text[-3000:]
    assert text.count("Application startup complete") == 2, text[-3000:]
    for sign in ("died", "was not ready", "failed to start"):
        assert sign not in text, text[-3000:]


def test_two_workers_start_and_do_not_import_the_command_line(fresh_database: str) -> None:
    text = _serve_two_workers(fresh_database, profile_imports=True)
    _both_workers_started(text)
    bench_imports = [
        line for line in text.splitlines() if line.endswith("support_analytics.cli.bench")
    ]
    assert len(bench_imports) == 1, bench_imports  # the supervisor's own; none in the workers


def test_two_workers_start_again_and_again(fresh_database: str) -> None:
    for _ in range(2):
        _both_workers_started(_serve_two_workers(fresh_database, profile_imports=False))
