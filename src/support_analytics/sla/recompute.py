"""Progress of the SLA recompute that follows a policy or calendar edit (migration
0014_sla_recompute): the edit's commit queues a request and its `sla.recompute` job; the job
recomputes every ticket in batches. Read in the request's RLS-scoped session."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from support_analytics.db.tables import sla_recompute
from support_analytics.sla.schemas import SlaRecompute, SlaRecomputeState

_r = sla_recompute.c
_LATEST: Select[tuple[object, ...]] = (
    select(_r.id, _r.status, _r.requested_at, _r.started_at, _r.finished_at, _r.done, _r.total)
    .order_by(_r.id.desc())
    .limit(1)
)


def _model(record: Mapping[str, object]) -> SlaRecompute:
    done, total = int(str(record["done"])), record["total"]
    pct = None if total is None else (100.0 if total == 0 else 100.0 * done / int(str(total)))
    return SlaRecompute.model_validate({**record, "pct": pct})


# Built once: the cards read it on every request (`db.statements`).
_UNFINISHED = _LATEST.where(_r.status.in_(("queued", "running")))


def unfinished(session: Session) -> SlaRecompute | None:
    """The request being worked on (queued or running), if any: SLA numbers are partly stale
    until it is done."""
    row = session.execute(_UNFINISHED).first()
    return None if row is None else _model(row._asdict())


def state(session: Session) -> SlaRecomputeState:
    row = session.execute(_LATEST).first()
    latest = None if row is None else _model(row._asdict())
    return SlaRecomputeState(
        recomputing=latest is not None and latest.status in ("queued", "running"),
        latest=latest,
    )
