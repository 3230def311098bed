"""`ticket_sla`'s rows computed from the raw tables every time they are read: the bench's
plain-SQL baseline for the SLA endpoints (`analytics/baseline.py`), so the product's rollups
are timed against what they save, not against another precomputation.

One row per ticket and target with `ticket_sla`'s columns, by the rule of the triggers that
keep `ticket_sla` (`ticket_sla_refresh` in docs/schema/functions.sql, docs/sla.md):

- the policy: the matching `sla_policies` row naming a ticket type first, then a plan, then a
  priority (NULL: any); the resolution target falls back to the type's hours, calendar basis;
- the first-response clock stops at the first reply (`from_client` false; one stamped before
  the ticket's creation counts as is, as in the response facts) or, with no reply, at
  `resolved_at` of a ticket not open or in progress; it runs while there is no reply and the
  ticket is open or in progress. The resolution clock stops at that `resolved_at` and runs
  while the ticket is open or in progress (a reopened ticket runs again whatever its
  `resolved_at` says);
- the due time: creation + the target's hours (calendar), or `business_due` over the policy's
  calendar (business). That is the schema's own SQL function over the calendar's boundary
  rows, called per row: business time has no short plain-SQL form (a minute walk, as the
  tests' oracle does, would not be a baseline anyone runs), and it reads the calendar, not a
  per-ticket precomputation.
"""

from __future__ import annotations

from sqlalchemy import (
    DateTime,
    Float,
    Interval,
    Numeric,
    Text,
    and_,
    case,
    cast,
    column,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    values,
)

from support_analytics.analytics.tables import clients, messages, ticket_types, tickets
from support_analytics.db.tables import sla_policies
from support_analytics.sla.state import TARGETS, Source

HOURS = Numeric(10, 4)


def plain_sla() -> Source:
    """A selectable with `ticket_sla`'s columns, from `tickets`, `ticket_messages`,
    `clients`, `ticket_types`, `sla_policies` and the business calendars: the readers of
    `sla.state` and `sla.breakdown` take it as their `source`."""
    t, cl, ty, sp = tickets.c, clients.c, ticket_types.c, sla_policies.c
    m = messages.c
    replies = (
        select(m.ticket_id, func.min(m.created_at).label("first_reply_at"))
        .where(m.from_client.is_(False))
        .group_by(m.ticket_id)
        .subquery("replies")
    )
    policy = (
        select(
            sp.id,
            sp.first_response_hours,
            sp.first_response_basis,
            sp.resolution_hours,
            sp.resolution_basis,
            sp.calendar_id,
        )
        .where(
            or_(sp.priority.is_(None), sp.priority == t.priority),
            or_(sp.ticket_type_id.is_(None), sp.ticket_type_id == t.ticket_type_id),
            or_(sp.plan.is_(None), sp.plan == cl.plan_type),
        )
        .order_by(sp.ticket_type_id.is_(None), sp.plan.is_(None), sp.priority.is_(None))
        .limit(1)
        .lateral("policy")
    )
    p = policy.c
    g = values(column("target", Text), name="targets").data([(x,) for x in TARGETS])
    first = g.c.target == "first_response"
    open_ = t.status.in_(("open", "in_progress"))
    resolved = case((open_, null()), else_=t.resolved_at)
    reply = replies.c.first_reply_at
    hours = cast(
        case(
            (first, p.first_response_hours),
            else_=func.coalesce(p.resolution_hours, cast(ty.avg_resolution_hours, Numeric)),
        ),
        HOURS,
    )
    basis = case(
        (first, p.first_response_basis),
        else_=func.coalesce(p.resolution_basis, "calendar"),
    )
    running = func.coalesce(open_, false())
    per_target = (
        select(
            t.id.label("ticket_id"),
            g.c.target,
            t.created_at,
            t.client_id,
            t.assigned_to,
            t.ticket_type_id,
            t.priority,
            t.status,
            cl.plan_type.label("plan"),
            p.id.label("policy_id"),
            p.calendar_id,
            hours.label("target_hours"),
            basis.label("basis"),
            case((first, func.coalesce(reply, resolved)), else_=resolved).label("done_at"),
            case((first, and_(reply.is_(None), running)), else_=running).label("running"),
        )
        .select_from(
            tickets.outerjoin(clients, cl.id == t.client_id)
            .outerjoin(ticket_types, ty.id == t.ticket_type_id)
            .outerjoin(replies, replies.c.ticket_id == t.id)
            .outerjoin(policy, true())
            .join(g, true())
        )
        .subquery("per_target")
    )
    r = per_target.c
    due = case(
        (or_(r.target_hours.is_(None), r.created_at.is_(None)), null()),
        (
            r.basis == "calendar",
            r.created_at + r.target_hours * literal_column("interval '1 hour'", Interval),
        ),
        else_=func.business_due(
            r.calendar_id,
            r.created_at,
            cast(r.target_hours * 3600, Float),
            type_=DateTime(timezone=True),
        ),
    )
    return (
        select(*(col for col in r if col.key != "calendar_id"))
        .add_columns(due.label("due_at"))
        .subquery("plain_sla")
    )
