"""What a reconnecting stream missed, read from `live_events` under the viewer's own RLS role.

The anchor (the event named by `Last-Event-ID`) must still be there and visible to the viewer:
then every event after it is there too (pruning deletes a prefix in `seq` order, and `seq`
follows commit order), and RLS leaves exactly the viewer's own. An anchor that is pruned,
another tenant's, or never existed, and a gap longer than the limit, give an incomplete replay:
the stream tells the page to refetch everything instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.live.channels import Event, parse_row

# A page that missed more than this many events refetches its view instead.
REPLAY_LIMIT = 1000
# Events are kept for a day: a laptop that sleeps overnight refetches, a restart does not.
KEEP_HOURS = 24

_ANCHOR = text("SELECT EXISTS (SELECT 1 FROM live_events WHERE seq = :after)")
_AFTER = text(
    "SELECT seq, kind, op, row_id, ticket_id, client_id FROM live_events"
    " WHERE seq > :after ORDER BY seq LIMIT :limit"
)
# A prefix in seq order, so an anchor still present means nothing after it was pruned.
PRUNE = (
    "DELETE FROM live_events WHERE seq <= ("
    "SELECT max(seq) FROM live_events WHERE created_at < now() - make_interval(hours => %(hours)s))"
)


@dataclass(frozen=True)
class Replay:
    events: list[Event]
    complete: bool


def missed(session: Session, after: int, limit: int = REPLAY_LIMIT) -> Replay:
    """The events after `after` that this session's role may see, in commit order."""
    if not session.execute(_ANCHOR, {"after": after}).scalar_one():
        return Replay(events=[], complete=False)
    rows = session.execute(_AFTER, {"after": after, "limit": limit + 1}).all()
    events = [
        event
        for row in rows[:limit]
        if (event := parse_row(row[1], row[2], row[3], row[4], row[5], seq=row[0])) is not None
    ]
    return Replay(events=events, complete=len(rows) <= limit)
