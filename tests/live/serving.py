"""The app on a real socket, in a thread of the test process: for what TestClient cannot show
(streaming responses as they happen, truly concurrent requests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from support_analytics.config import Settings
from support_analytics.web.app import create_app


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(database_url: str, **settings: int | float | str) -> Iterator[str]:
    """Yield the base URL of the app serving `database_url` until the block ends; keyword
    arguments are settings (e.g. sse_max_streams=2)."""
    port = free_port()
    config = uvicorn.Config(
        create_app(
            Settings.model_validate({"database_url": database_url, "pool_size": 4, **settings})
        ),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "server exited"
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
