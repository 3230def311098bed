"""Plain SQL for SLA clocks under the default policy, for the ticket tests' oracles: never
reads `ticket_sla` or the policy table. Per ticket (`base`, filtered by `where` on tickets
`t`): creation, resolution, open or not, first reply, the first-response target by priority
(urgent 1 h, high 4 h, medium 8 h, low 24 h, none without a priority) and the resolution
target (the type's hours); per ticket and target (`clocks`): hours, due time, when the clock
stopped, whether it still runs. Append a SELECT over `base` or `clocks`."""

from __future__ import annotations


def clocks(where: str = "true") -> str:
    return f"""
WITH base AS (
    SELECT t.id, t.created_at, t.resolved_at,
           coalesce(t.status IN ('open', 'in_progress'), false) AS open,
           (SELECT min(m.created_at) FROM ticket_messages m
             WHERE m.ticket_id = t.id AND m.from_client = false) AS first_reply,
           CASE t.priority WHEN 'urgent' THEN 1 WHEN 'high' THEN 4 WHEN 'medium' THEN 8
                           WHEN 'low' THEN 24 END AS fr_hours,
           ty.avg_resolution_hours AS res_hours
    FROM tickets t LEFT JOIN ticket_types ty ON ty.id = t.ticket_type_id
    WHERE {where}
),
clocks AS (
    SELECT id, 'first_response' AS target, fr_hours AS hours,
           created_at + fr_hours * interval '1 hour' AS due,
           coalesce(first_reply, CASE WHEN open THEN NULL ELSE resolved_at END) AS done,
           first_reply IS NULL AND open AS running
    FROM base
    UNION ALL
    SELECT id, 'resolution', res_hours, created_at + res_hours * interval '1 hour',
           CASE WHEN open THEN NULL ELSE resolved_at END, open
    FROM base
)
"""
