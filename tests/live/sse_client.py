"""A Server-Sent Events reader for tests: one stream on a thread of its own, frames parsed
(id, event, data), every wait bounded."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from support_analytics.auth.sessions import COOKIE_NAME

CONNECTED = ": connected"


@dataclass(frozen=True)
class Frame:
    id: str | None
    event: str
    data: dict[str, object]

    @property
    def resync(self) -> bool:
        return self.data.get("op") == "resync"


@dataclass
class SseStream:
    status: int = 0
    frames: list[Frame] = field(default_factory=list)
    ended: bool = False
    inbox: queue.Queue[Frame | str] = field(default_factory=queue.Queue)

    def _pump(self, timeout: float) -> bool:
        try:
            item = self.inbox.get(timeout=timeout)
        except queue.Empty:
            return False
        if isinstance(item, Frame):
            self.frames.append(item)
        elif item == "end":
            self.ended = True
        return True

    def wait(self, predicate: Callable[[list[Frame]], bool], timeout: float) -> list[Frame]:
        """The frames so far, once `predicate` holds for them; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        while not predicate(self.frames):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"not within {timeout}s; frames {self.frames}"
            if not self._pump(min(remaining, 0.2)) and self.ended:
                raise AssertionError(f"the stream ended; frames {self.frames}")
        return self.frames

    def settle(self, seconds: float) -> list[Frame]:
        """Everything that arrives within `seconds` (room for a leak or a duplicate to show)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self._pump(remaining)
        return self.frames


def _read(
    url: str,
    headers: dict[str, str],
    stream: SseStream,
    ready: threading.Event,
    stop: threading.Event,
) -> None:
    fields: dict[str, str] = {}
    try:
        with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(10, read=30)) as r:
            stream.status = r.status_code
            ready.set()
            for line in r.iter_lines():
                if stop.is_set():
                    return
                if line == CONNECTED:
                    stream.inbox.put(CONNECTED)
                elif line == "" and "data" in fields:
                    data = json.loads(fields["data"])
                    assert isinstance(data, dict)
                    stream.inbox.put(Frame(fields.get("id"), fields.get("event", ""), data))
                    fields = {}
                elif line == "":
                    fields = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(": ")
                    fields[name] = value
    except httpx.HTTPError:
        pass
    finally:
        ready.set()
        stream.inbox.put("end")


@contextmanager
def sse(
    base: str,
    token: str,
    *,
    last_event_id: str | None = None,
    query: str = "",
    connect_timeout: float = 15,
) -> Iterator[SseStream]:
    """An open `/api/v1/events` stream for the session `token` (`query`: a query string, as
    `?last_event_id=...`), connected (its listener is ready) when the block starts; the reader
    thread is told to stop when the block ends."""
    headers = {"Cookie": f"{COOKIE_NAME}={token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    stream = SseStream()
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=_read,
        args=(f"{base}/api/v1/events{query}", headers, stream, ready, stop),
        daemon=True,
    )
    thread.start()
    assert ready.wait(connect_timeout), "no answer to the stream request"
    assert stream.status == 200, stream.status
    deadline = time.monotonic() + connect_timeout
    while True:
        item = stream.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
        if item == CONNECTED:
            break
        assert item != "end", "the stream ended before it connected"
    try:
        yield stream
    finally:
        stop.set()


def ticket_ids(frames: list[Frame], kind: str = "ticket") -> list[object]:
    return [f.data["ticket_id"] for f in frames if f.event == kind]


def last_id(frames: list[Frame]) -> str:
    ids = [f.id for f in frames if f.id]
    assert ids, frames
    return ids[-1]
