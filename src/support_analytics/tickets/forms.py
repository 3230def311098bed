"""HTML forms -> the same pydantic inputs the JSON API uses, with one readable message per
field, so the portal and inbox enforce exactly the API's rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from support_analytics.filters.grammar import ascii_id
from support_analytics.tickets.schemas import (
    FEEDBACK_MAX,
    MESSAGE_MAX,
    TITLE_MAX,
    FeedbackCreate,
    MessageCreate,
    TicketCreate,
)

MESSAGES = {
    "title": f"Enter a title of 1 to {TITLE_MAX:,} characters.",
    "message": f"Describe the problem in 1 to {MESSAGE_MAX:,} characters.",
    "text": f"Write a message of 1 to {MESSAGE_MAX:,} characters.",
    "ticket_type_id": "Choose one of the listed ticket types.",
    "priority": "Choose a priority: low, medium, high or urgent.",
    "rating": "Choose a rating from 1 to 5.",
    "feedback_text": f"Keep the comment under {FEEDBACK_MAX:,} characters.",
}


T = TypeVar("T", bound=BaseModel)


@dataclass
class FormResult(Generic[T]):
    value: T | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _errors(exc: ValidationError, rename: dict[str, str] | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        name = (rename or {}).get(name, name)
        if error["type"] == "value_error":
            message = "Remove the control characters (invisible symbols) from this field."
        else:
            message = MESSAGES.get(name, str(error["msg"]))
        out.setdefault(name, message)
    return out


def _int_or_none(raw: str) -> int | None:
    return ascii_id(raw.strip())


def new_ticket(
    *, title: str, ticket_type_id: str, priority: str, message: str
) -> FormResult[TicketCreate]:
    try:
        return FormResult(
            TicketCreate.model_validate(
                {
                    "title": title,
                    "ticket_type_id": _int_or_none(ticket_type_id),
                    "priority": priority,
                    "message": message,
                }
            )
        )
    except ValidationError as exc:
        return FormResult(errors=_errors(exc))


def reply(*, text: str) -> FormResult[MessageCreate]:
    try:
        return FormResult(MessageCreate.model_validate({"text": text}))
    except ValidationError as exc:
        return FormResult(errors=_errors(exc))


def feedback(*, rating: str, text: str) -> FormResult[FeedbackCreate]:
    try:
        return FormResult(
            FeedbackCreate.model_validate({"rating": _int_or_none(rating), "text": text})
        )
    except ValidationError as exc:
        return FormResult(errors=_errors(exc, {"text": "feedback_text"}))
