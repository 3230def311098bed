"""Request and response bodies of /api/v1/tickets, and the input rules they enforce.

Bodies ignore unknown fields (a `client_id` or `status` sent with a new ticket is dropped, not
honoured), text is trimmed before its length is checked so "   " is empty, control characters
are refused, and numbers are strict so `"4"` or `4.5` is not a rating.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from support_analytics.tickets.status import Priority, Status

TITLE_MAX = 255
MESSAGE_MAX = 10_000
FEEDBACK_MAX = 10_000
PAGE_SIZE_DEFAULT = 25
PAGE_SIZE_MAX = 100

# Control characters never belong in a title; in longer text only tabs and line breaks do.
# (PostgreSQL cannot store NUL at all: letting one through would be a 500, not a 422.)
_TITLE_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS = "must not contain control characters"


def _trimmed_without(controls: re.Pattern[str]) -> Callable[[object], object]:
    def check(value: object) -> object:
        if not isinstance(value, str):
            return value  # the str validator after this one rejects it
        value = value.strip()
        if controls.search(value):
            raise ValueError(CONTROL_CHARACTERS)
        return value

    return check


Title = Annotated[
    str,
    BeforeValidator(_trimmed_without(_TITLE_CONTROLS)),
    StringConstraints(min_length=1, max_length=TITLE_MAX),
]
MessageText = Annotated[
    str,
    BeforeValidator(_trimmed_without(_TEXT_CONTROLS)),
    StringConstraints(min_length=1, max_length=MESSAGE_MAX),
]
FeedbackText = Annotated[
    str,
    BeforeValidator(_trimmed_without(_TEXT_CONTROLS)),
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


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]
    feedback: FeedbackOut | None


class TicketPage(BaseModel):
    rows: list[TicketOut]
    page: int
    page_size: int
    total: int
