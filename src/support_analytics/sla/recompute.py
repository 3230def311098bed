"""Progress of the SLA recompute that follows a policy or calendar edit (migration
0014_sla_recompute): the edit's commit queues a request and its `sla.recompute` job; the job
recomputes every ticket in batches. Read in the request's RLS-scoped session."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from support_analytics.sla.schemas import SlaRecompute, SlaRecomputeState

_COLUMNS = "id, status, requested_at, started_at, finished_at, done, total"


def _model(row: tuple[object, ...]) -> SlaRecompute:
    record = dict(zip(_COLUMNS.split(", "), row, strict=True))
    done, total = int(str(record["done"])), record["total"]
    pct = None if total is None else (100.0 if total == 0 else 100.0 * done / int(str(total)))
    return SlaRecompute.model_validate({**record, "pct": pct})


def unfinished(session: Session) -> SlaRecompute | None:
    """The request being worked on (queued or running), if any: SLA numbers are partly stale
    until it is done."""
    row = session.execute(
        text(
            f"SELECT {_COLUMNS} FROM sla_recompute WHERE status IN ('queued', 'running')"
            " ORDER BY id DESC LIMIT 1"
        )
    ).first()
    return None if row is None else _model(tuple(row))


def state(session: Session) -> SlaRecomputeState:
    row = session.execute(
        text(f"SELECT {_COLUMNS} FROM sla_recompute ORDER BY id DESC LIMIT 1")
    ).first()
    latest = None if row is None else _model(tuple(row))
    return SlaRecomputeState(
        recomputing=latest is not None and latest.status in ("queued", "running"),
        latest=latest,
    )
