"""`support-analytics serve --workers 2` brings both workers up, and a worker does not import
the command line before it can answer the supervisor's health check.

uvicorn's supervisor pings each worker over a pipe and kills one that does not answer within
SUPPORT_ANALYTICS_WORKER_START_SECONDS. A worker answers from a thread it starts only after
multiprocessing has re-run the parent's main module; under the `support-analytics` console
script that was the whole CLI (bench, db, users: as heavy as the app), so on a busy machine a
worker could be killed before it ever started. The import log (PYTHONPROFILEIMPORTTIME, which
every worker inherits) shows who imported what: the CLI's bench module once (the supervisor),
not three times.

Each worker also prepares the analytics statements before it answers (the default); the
suites' other servers skip that (tests/conftest.py QUICK_START).
"""

from __future__ import annotations

import pytest

from tests.load.serve_process import both_workers_started, serve

pytestmark = pytest.mark.timeout(900)


PREPARED = "analytics statements prepared"


def _serve_two_workers(database_url: str, *, profile_imports: bool) -> str:
    """Start with two workers (bounded), check /healthz, stop; returns the log. Profiling
    the imports starts them quickly; otherwise as `serve` does by default."""
    env = (
        {"PYTHONPROFILEIMPORTTIME": "1"}
        if profile_imports
        else {"SUPPORT_ANALYTICS_PREPARE_STATEMENTS": "true"}
    )
    with serve(database_url, workers=2, env=env) as served:
        pass
    return served.text()


def test_two_workers_start_and_do_not_import_the_command_line(fresh_database: str) -> None:
    text = _serve_two_workers(fresh_database, profile_imports=True)
    both_workers_started(text)
    bench_imports = [
        line for line in text.splitlines() if line.endswith("support_analytics.cli.bench")
    ]
    assert len(bench_imports) == 1, bench_imports  # the supervisor's own; none in the workers
    assert PREPARED not in text


def test_two_workers_start_again(fresh_database: str) -> None:
    # A third start of two workers, with the same check, is the live drill's
    # (tests/ops/test_live_drills.py), which needs one anyway.
    text = _serve_two_workers(fresh_database, profile_imports=False)
    both_workers_started(text)
    assert text.count(PREPARED) == 2, text[-3000:]
