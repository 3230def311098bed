"""Idempotent ticket creation: a token per new-ticket form (or `Idempotency-Key` header) is
claimed in the same transaction that creates the ticket. A second submit with the same token
either waits for the first transaction and then finds its ticket, or - if the first rolled
back - creates the ticket itself. Either way one ticket exists."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from support_analytics.db.tables import ticket_submissions

TOKEN_MAX = 100
# What a token may look like: the forms' own (`secrets.token_urlsafe`) and any sane client key.
SUBMISSION_ID_PATTERN = r"^[!-~]{1,100}$"
_TOKEN = re.compile(SUBMISSION_ID_PATTERN)


def valid_token(token: str) -> bool:
    return _TOKEN.fullmatch(token) is not None


def claim(session: Session, client_id: int, token: str) -> int | None:
    """Claim `token`; None when it is new (go ahead), else the ticket it already made."""
    inserted = session.execute(
        pg_insert(ticket_submissions)
        .values(client_id=client_id, token=token)
        .on_conflict_do_nothing()
        .returning(ticket_submissions.c.token)
    ).first()
    if inserted is not None:
        return None
    ticket_id: int | None = session.execute(
        select(ticket_submissions.c.ticket_id).where(
            ticket_submissions.c.client_id == client_id, ticket_submissions.c.token == token
        )
    ).scalar_one_or_none()
    return ticket_id


def record(session: Session, client_id: int, token: str, ticket_id: int) -> None:
    session.execute(
        ticket_submissions.update()
        .where(ticket_submissions.c.client_id == client_id, ticket_submissions.c.token == token)
        .values(ticket_id=ticket_id)
    )
