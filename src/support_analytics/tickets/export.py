"""Ticket lists as CSV. Cells a spreadsheet would run as a formula are prefixed with `'`:
titles come from clients, and a title of `=HYPERLINK(...)` must stay text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from support_analytics.tickets.queries import TicketRow

COLUMNS = (
    "id",
    "client_id",
    "client",
    "title",
    "status",
    "priority",
    "ticket_type_id",
    "ticket_type",
    "assigned_to",
    "assignee",
    "created_at",
    "resolved_at",
    "closed_at",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | int | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_START) else text


def to_csv(rows: Iterable[TicketRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    r.id,
                    r.client_id,
                    r.client_name,
                    r.title,
                    r.status,
                    r.priority,
                    r.ticket_type_id,
                    r.type_name,
                    r.assigned_to,
                    r.assignee_name,
                    r.created_at,
                    r.resolved_at,
                    r.closed_at,
                )
            ]
        )
    return out.getvalue()
