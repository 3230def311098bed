"""Request and response bodies of /api/v1/tickets, and the input rules they enforce.

Bodies ignore unknown fields (a `client_id` or `status` sent with a new ticket is dropped, not
honoured), text is trimmed before its length is checked so "   " is empty, control characters
are refused, and numbers are strict so `"4"` or `4.5` is not a rating.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from support_analytics.sla.schemas import SlaTarget
from support_analytics.text import LINE_FORBIDDEN, TEXT_FORBIDDEN, refusing
from support_analytics.tickets.events import EventOut
from support_analytics.tickets.status import Priority, Status

TITLE_MAX = 255
MESSAGE_MAX = 10_000
FEEDBACK_MAX = 10_000
PAGE_SIZE_DEFAULT = 25
PAGE_SIZE_MAX = 100
BULK_MAX = 200

# Which characters are refused, and why: support_analytics/text.py.
Title = Annotated[
    str,
    BeforeValidator(refusing(LINE_FORBIDDEN)),
    StringConstraints(min_length=1, max_length=TITLE_MAX),
]
MessageText = Annotated[
    str,
    BeforeValidator(refusing(TEXT_FORBIDDEN)),
    StringConstraints(min_length=1, max_length=MESSAGE_MAX),
]
FeedbackText = Annotated[
    str,
    BeforeValidator(refusing(TEXT_FORBIDDEN)),
    StringConstraints(max_length=FEEDBACK_MAX),
]
Rating = Annotated[int, Field(strict=True, ge=1, le=5)]
Id = Annotated[int, Field(strict=True, ge=1, le=2_147_483_647)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TicketCreate(_Input):
    title: Title
    ticket_type_id: Id
    priority: Priority
    message: MessageText


class MessageCreate(_Input):
    text: MessageText


class FeedbackCreate(_Input):
    rating: Rating
    text: FeedbackText = ""


class TicketUpdate(_Input):
    """Only the fields present change; `assigned_to: null` unassigns."""

    status: Status | None = None
    priority: Priority | None = None
    assigned_to: Id | None = None


class TicketBulkUpdate(_Input):
    """The same change to up to `BULK_MAX` tickets at once; `assigned_to: null` unassigns."""

    ids: Annotated[list[Id], Field(min_length=1, max_length=BULK_MAX)]
    status: Status | None = None
    assigned_to: Id | None = None

    def change(self) -> TicketUpdate:
        """The single-ticket update each id gets, with only the fields the caller sent."""
        return TicketUpdate.model_validate(
            {k: getattr(self, k) for k in self.model_fields_set if k != "ids"}
        )


class TicketOut(BaseModel):
    id: int
    client_id: int
    title: str
    status: str | None
    priority: str | None
    ticket_type_id: int
    assigned_to: int | None
    created_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla_due_at: datetime | None = None
    """Due time of the ticket's next SLA clock still running (first response or resolution)."""
    sla_state: Literal["pending", "at_risk", "breached", "met"] | None = None
    """While a clock runs, the state of its next due time (at_risk: due within the hour);
    once all have stopped, breached if a target was missed, else met; null: no SLA row."""
    last_client_message_at: datetime | None = None
    """When the client last wrote on the ticket (null: never)."""


class MessageOut(BaseModel):
    id: int
    from_client: bool
    from_team_member_id: int | None
    text: str
    created_at: datetime | None


class FeedbackOut(BaseModel):
    rating: int | None
    text: str | None
    created_at: datetime | None


class PromiseOut(BaseModel):
    """One SLA target of the ticket, as its client may read it."""

    target: Literal["first_response", "resolution"]
    target_hours: float
    basis: Literal["calendar", "business"]
    due_at: datetime | None
    state: Literal["met", "breached", "pending"]


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]
    feedback: FeedbackOut | None
    events: list[EventOut] = Field(default_factory=list)
    """The activity log, oldest first (migration 0007; written by database triggers)."""
    promises: list[PromiseOut] = Field(default_factory=list)
    """The SLA targets that apply (the most specific policy row), each with its due time and
    state now; a target the policy leaves open is left out."""


class TicketBulkOut(BaseModel):
    updated: int
    rows: list[TicketOut]


class TicketPage(BaseModel):
    rows: list[TicketOut]
    page: int
    page_size: int
    total: int


class ServiceReport(BaseModel):
    """A client's own service: its tickets created in the period (all time when `period` is
    null), how fast they got a first reply, and SLA compliance per target."""

    period: str | None
    tickets: int
    replied: int
    """Tickets with a reply."""
    median_first_response_hours: float | None
    first_response: SlaTarget
    resolution: SlaTarget
