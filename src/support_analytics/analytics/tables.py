"""The raw reference tables as Core `Table`s (the analytics queries are Core selects), taken
from the one MetaData the ORM models are declared on."""

from __future__ import annotations

from support_analytics.db import models
from support_analytics.db.base import Base

_TABLES = Base.metadata.tables
assert models.Ticket.__tablename__ in _TABLES  # importing models registers the tables

tickets = _TABLES["tickets"]
feedback = _TABLES["ticket_feedback"]
messages = _TABLES["ticket_messages"]
team_members = _TABLES["team_members"]
ticket_types = _TABLES["ticket_types"]
clients = _TABLES["clients"]
payments = _TABLES["payments"]
