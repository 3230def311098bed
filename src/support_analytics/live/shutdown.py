"""SIGTERM/SIGINT while serving: end the live streams at once, and honour a second signal.

uvicorn's graceful shutdown waits for every open response, and a live stream is an open
response for up to five minutes; its lifespan shutdown runs only after that wait. So the app
chains its own step in front of uvicorn's signal handler: the first signal ends every stream
(browsers reconnect elsewhere, or here once the server is back) while uvicorn drains ordinary
requests; a second SIGTERM exits at once, like a second Ctrl-C already does.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


def chain_on_termination(
    loop: asyncio.AbstractEventLoop, on_first: Callable[[], None]
) -> Callable[[], None]:
    """Run `on_first` on `loop` at the first SIGTERM/SIGINT; returns the undo function.
    Outside the main thread (a server in a test's thread) signals cannot be handled: no-op."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    received = 0

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal received
        received += 1
        if received == 1:
            loop.call_soon_threadsafe(on_first)
        before = previous.get(signal.Signals(signum))
        if received > 1:
            # uvicorn's Server forces exit on a second SIGINT only; same for SIGTERM.
            server = getattr(before, "__self__", None)
            if server is not None and hasattr(server, "force_exit"):
                setattr(server, "force_exit", True)  # noqa: B010 (an attribute of uvicorn's)
        if callable(before):
            before(signum, frame)

    for sig in SIGNALS:
        signal.signal(sig, handler)

    def undo() -> None:
        for sig, before in previous.items():
            if before is not None:
                signal.signal(sig, before)

    return undo
