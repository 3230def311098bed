"""A pooled connection that died with a database restart is replaced on checkout, not
reported: the first request after the database is back must not get a 503."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from support_analytics.db import embedded
from support_analytics.db.engine import connect

pytestmark = pytest.mark.timeout(120)


def test_stale_pooled_connections_are_replaced_after_a_restart() -> None:
    home = Path(tempfile.mkdtemp(prefix="sa-rst-", dir="/tmp"))
    try:
        server, _ = embedded.start(home)
        database = connect(server.url("postgres"), pool_size=3)
        try:
            held = [database.engine.connect() for _ in range(3)]
            for conn in held:
                conn.close()  # back into the pool, alive

            embedded.stop(home)
            embedded.start(home)

            for _ in range(3):  # every pooled connection is now dead
                with database.engine.connect() as conn:
                    assert conn.execute(text("SELECT 1")).scalar_one() == 1
        finally:
            database.engine.dispose()
    finally:
        embedded.stop(home)
        shutil.rmtree(home, ignore_errors=True)
