"""Responsiveness (SPEC section 10, issue 14): first response time, awaiting first reply,
one-touch resolution, per priority and per team member.

Everything reads `ticket_response_facts` (migration 0007): one row per ticket, kept exact by
triggers after every write, with the ticket's filter-bar dimensions beside its facts. The
filter bar applies to it through the same `filters.sql` clauses as to `tickets` (creation day
in the reporting zone; the table stores `created_at` itself, so no rebuild per zone).

Definitions:
- FRT = first reply (`from_client = false`) `created_at` - ticket `created_at`, in hours,
  never below 0; `count` is the tickets with one. Percentiles are `percentile_cont`
  (continuous, as the resolution statistics), exact.
- awaiting = open (`open`, `in_progress`) tickets with no reply yet.
- one-touch = resolved or closed tickets with exactly one reply, out of all resolved or closed.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session

from support_analytics.analytics.definitions import CLOSED_STATUSES, OPEN_STATUSES
from support_analytics.analytics.distribution import admitted_priorities
from support_analytics.analytics.schemas import (
    FirstResponse,
    OneTouch,
    PriorityResponsiveness,
    Responsiveness,
    ResponsivenessTeam,
    ResponsivenessTeamRow,
)
from support_analytics.analytics.tables import team_members
from support_analytics.filters import TicketFilters
from support_analytics.filters.sql import TicketColumns, set_clause, ticket_clauses

_metadata = MetaData()

facts = Table(
    "ticket_response_facts",
    _metadata,
    Column("ticket_id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True)),
    Column("client_id", Integer),
    Column("assigned_to", Integer),
    Column("ticket_type_id", Integer),
    Column("priority", String(20)),
    Column("status", String(50)),
    Column("first_reply_at", DateTime(timezone=True)),
    Column("frt_hours", Float),
    Column("replies", Integer),
    Column("client_messages", Integer),
    Column("last_message_at", DateTime(timezone=True)),
    Column("last_from_client", Boolean),
    Column("reopens", Integer),
)

FACT_COLUMNS = TicketColumns(
    created_at=facts.c.created_at,
    assigned_to=facts.c.assigned_to,
    ticket_type_id=facts.c.ticket_type_id,
    priority=facts.c.priority,
)


def _f(value: object) -> float | None:
    return None if value is None else float(str(value))


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def responsiveness(session: Session, filters: TicketFilters, tz: ZoneInfo) -> Responsiveness:
    """The cards and the per-priority table, in one pass over the filtered facts."""
    f = facts.c
    frt = f.frt_hours
    stmt = (
        select(
            func.grouping(f.priority),
            f.priority,
            func.count(frt),
            func.count().filter(and_(f.replies == 0, f.status.in_(OPEN_STATUSES))),
            func.percentile_cont(0.5).within_group(frt),
            func.percentile_cont(0.9).within_group(frt),
            func.avg(frt),
            func.count().filter(f.status.in_(CLOSED_STATUSES)),
            func.count().filter(and_(f.status.in_(CLOSED_STATUSES), f.replies == 1)),
        )
        .where(true(), *ticket_clauses(filters, tz, FACT_COLUMNS))
        .group_by(func.rollup(f.priority))
    )
    total: tuple[object, ...] = (0, 0, None, None, None, 0, 0)
    per_priority: dict[str, tuple[object, ...]] = {}
    for row in session.execute(stmt):
        values = tuple(row[2:])
        if row[0] == 1:
            total = values
        elif row[1] is not None:
            per_priority[str(row[1])] = values
    empty: tuple[object, ...] = (0, 0, None, None, None, 0, 0)
    resolved, one_touch = int(str(total[5])), int(str(total[6]))
    return Responsiveness(
        first_response=FirstResponse(
            count=int(str(total[0])),
            awaiting=int(str(total[1])),
            median_hours=_f(total[2]),
            p90_hours=_f(total[3]),
            avg_hours=_f(total[4]),
        ),
        by_priority=[
            PriorityResponsiveness(
                priority=p,
                count=int(str(values[0])),
                awaiting=int(str(values[1])),
                median_hours=_f(values[2]),
                p90_hours=_f(values[3]),
                avg_hours=_f(values[4]),
            )
            for p in admitted_priorities(filters)
            for values in (per_priority.get(p, empty),)
        ],
        one_touch=OneTouch(resolved=resolved, one_touch=one_touch, pct=_pct(one_touch, resolved)),
    )


def team(session: Session, filters: TicketFilters, tz: ZoneInfo) -> ResponsivenessTeam:
    """Every team member the filter admits (none-replied included): first replies on the
    tickets assigned to them and their median FRT."""
    f = facts.c
    joined = team_members.outerjoin(
        facts,
        and_(f.assigned_to == team_members.c.id, *ticket_clauses(filters, tz, FACT_COLUMNS)),
    )
    stmt = (
        select(
            team_members.c.id,
            team_members.c.username,
            func.count(f.frt_hours),
            func.percentile_cont(0.5).within_group(f.frt_hours),
        )
        .select_from(joined)
        .group_by(team_members.c.id)
        .order_by(team_members.c.id)
    )
    if filters.team_member is not None:
        stmt = stmt.where(set_clause(filters.team_member, team_members.c.id))
    return ResponsivenessTeam(
        rows=[
            ResponsivenessTeamRow(
                team_member_id=row[0],
                name=row[1],
                first_replies=row[2],
                median_first_response_hours=_f(row[3]),
            )
            for row in session.execute(stmt)
        ]
    )
