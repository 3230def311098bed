"""The one NOTIFY channel and the event payload the database triggers send on it.

Payloads carry ids and the owning `client_id` only, never titles or message text: the
listener decides who may receive an event from `client_id` alone, and a browser that is told
"ticket 42 changed" fetches the ticket through its own RLS-checked request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

CHANNEL = "support_analytics_events"
# Past this many events in one transaction (a bulk load, a generator run) the triggers send a
# single `bulk` event instead, which NOTIFY then collapses to one delivery per transaction.
PER_TRANSACTION_LIMIT = 100

# `alert`: an alert fired (alerts/delivery.py); ids only, internal users only (no client_id).
Kind = Literal["ticket", "message", "feedback", "bulk", "alert"]
KINDS: frozenset[str] = frozenset({"ticket", "message", "feedback", "bulk", "alert"})


@dataclass(frozen=True)
class Event:
    kind: Kind
    op: str
    ticket_id: int | None
    client_id: int | None
    id: int | None = None
    # The event's place in commit order (`live_events.seq`); None for events that were never
    # stored (a resync, the closing notice, anything published in-process).
    seq: int | None = None

    def as_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "op": self.op,
                "id": self.id,
                "ticket_id": self.ticket_id,
                "client_id": self.client_id,
            },
            separators=(",", ":"),
        )


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _kind(value: object) -> Kind | None:
    if value == "ticket":
        return "ticket"
    if value == "message":
        return "message"
    if value == "feedback":
        return "feedback"
    if value == "bulk":
        return "bulk"
    if value == "alert":
        return "alert"
    return None


def parse(payload: str) -> Event | None:
    """The event in a NOTIFY payload, or None for anything malformed (dropped, not raised)."""
    try:
        data: object = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return parse_row(
        data.get("kind"),
        data.get("op"),
        data.get("id"),
        data.get("ticket_id"),
        data.get("client_id"),
        seq=data.get("seq"),
    )


def parse_row(
    kind: object, op: object, row_id: object, ticket_id: object, client_id: object, *, seq: object
) -> Event | None:
    """An event from its fields (a NOTIFY payload's or a `live_events` row's)."""
    checked = _kind(kind)
    if checked is None:
        return None
    return Event(
        kind=checked,
        op=op if isinstance(op, str) else "",
        id=_int_or_none(row_id),
        ticket_id=_int_or_none(ticket_id),
        client_id=_int_or_none(client_id),
        seq=_int_or_none(seq),
    )


def visible_to(event: Event, *, kind: str, client_id: int | None) -> bool:
    """Internal users see every event; a client sees only events of its own client's tickets
    (a `bulk` event has no client, so clients never get it)."""
    if kind == "internal":
        return True
    return client_id is not None and event.client_id == client_id
