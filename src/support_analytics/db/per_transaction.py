"""Values read once per transaction: a request asks some readers' questions several times
(the rollups' state, the clients' plans), and one read transaction sees one snapshot, so the
first answer holds until it ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from sqlalchemy.orm import Session

T = TypeVar("T")


def once(session: Session, key: str, read: Callable[[], T]) -> T:
    """`read()`'s value, read in `session`'s current transaction the first time it is asked
    for under `key` there, and kept for that transaction."""
    transaction = session.get_transaction()
    cached = session.info.get(key)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cast("T", cached[1])
    found = read()
    # The transaction the read ran in (it begins one if none had begun).
    session.info[key] = (session.get_transaction(), found)
    return found
