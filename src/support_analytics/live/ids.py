"""Event ids a browser can hand back (`Last-Event-ID`) but cannot read.

An event's `seq` (migration 0016_live_events) is a counter shared by every tenant: shown as
it is, a client would learn how busy the others are from the gaps between its own events. So
the id on the wire is `seq` encrypted: a four-round Feistel network over the 64-bit value with
HMAC-SHA256 as its round function, keyed by the secret NOTIFY channel name, which only the
owner can read and which every worker (and every restart) reads the same. Any 16 hex digits
decode to some number; the replay then finds no event of the viewer's with it and resyncs.
"""

from __future__ import annotations

import hashlib
import hmac

ROUNDS = 4
_HALF = 0xFFFFFFFF
_HEX = frozenset("0123456789abcdef")


class EventIds:
    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"support-analytics live event ids\x00" + secret).digest()

    def _mix(self, step: int, half: int) -> int:
        digest = hmac.new(self._key, bytes([step]) + half.to_bytes(4, "big"), hashlib.sha256)
        return int.from_bytes(digest.digest()[:4], "big")

    def encode(self, seq: int) -> str:
        left, right = seq >> 32 & _HALF, seq & _HALF
        for step in range(ROUNDS):
            left, right = right, left ^ self._mix(step, right)
        return f"{left:08x}{right:08x}"

    def decode(self, event_id: str) -> int | None:
        """The seq of an id we issued; None for anything that is not 16 hex digits or that
        decodes past PostgreSQL's bigint."""
        if len(event_id) != 16 or not set(event_id) <= _HEX:
            return None
        value = int(event_id, 16)
        left, right = value >> 32, value & _HALF
        for step in reversed(range(ROUNDS)):
            left, right = right ^ self._mix(step, left), left
        seq = left << 32 | right
        return seq if seq < 1 << 63 else None
