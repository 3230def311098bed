"""A webhook receiver on 127.0.0.1 for the tests: records every POST (headers, body, arrival
time) and answers with the status the test chooses."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    url: str
    arrived: queue.Queue[Received] = field(default_factory=queue.Queue)
    status: list[int] = field(default_factory=lambda: [200])

    def wait(self, seconds: float) -> Received | None:
        """The next POST, or None if none arrives within `seconds`."""
        try:
            return self.arrived.get(timeout=seconds)
        except queue.Empty:
            return None


@contextmanager
def receiving() -> Iterator[Receiver]:
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver = holder[0]
            receiver.arrived.put(
                Received(self.path, dict(self.headers.items()), body, time.monotonic())
            )
            self.send_response(receiver.status[0])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
