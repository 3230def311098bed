"""The error contract: one exception type the web layer renders, and the one JSON shape every
4xx and 5xx under /api has:

    {"error": {"code": "invalid_input", "message": "...", "fields": [{"name", "message"}]}}

`fields` is present only for invalid input; messages name fields and accepted forms but never
repeat the submitted values (a password typed into the wrong box must not come back in a body
or a log line).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class FieldProblem:
    name: str
    message: str


class AppError(Exception):
    """A message, an HTTP status, a stable code and the headers the status needs
    (Retry-After on 429 and 503), so no error needs a handler of its own."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def fields(self) -> tuple[FieldProblem, ...]:
        return ()


class InvalidInput(AppError):
    """The one 422: a parameter, path or body field that is malformed, out of range or names
    something that does not exist. `field` is the parameter or body field at fault."""

    status_code = 422
    code = "invalid_input"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        problems: Iterable[FieldProblem] = (),
    ) -> None:
        super().__init__(message)
        self.field = field
        listed = tuple(problems)
        if not listed and field is not None:
            # Messages read "<field>: <problem>"; the entry names the field once.
            listed = (FieldProblem(field, message.removeprefix(f"{field}: ")),)
        self._fields = listed

    @property
    def fields(self) -> tuple[FieldProblem, ...]:
        return self._fields


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class Unauthenticated(AppError):
    status_code = 401
    code = "unauthenticated"


class TooManyRequests(AppError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class DatabaseUnavailable(AppError):
    status_code = 503
    code = "database_unavailable"

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


# Codes for errors raised by the framework itself (unknown path, wrong method, malformed
# body): the same vocabulary as the AppError subclasses above.
STATUS_CODES: dict[int, str] = {
    400: AppError.code,
    401: Unauthenticated.code,
    403: Forbidden.code,
    404: NotFound.code,
    405: "method_not_allowed",
    409: Conflict.code,
    413: "payload_too_large",  # HTTPStatus renamed its phrase in Python 3.13
    422: InvalidInput.code,
    429: TooManyRequests.code,
    503: DatabaseUnavailable.code,
}


def code_for_status(status_code: int) -> str:
    known = STATUS_CODES.get(status_code)
    if known is not None:
        return known
    try:
        return HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def error_body(
    code: str, message: str, fields: Iterable[FieldProblem] = ()
) -> dict[str, dict[str, object]]:
    detail: dict[str, object] = {"code": code, "message": message}
    listed = [{"name": f.name, "message": f.message} for f in fields]
    if listed:
        detail["fields"] = listed
    return {"error": detail}


# The same contract as OpenAPI schemas, for `responses=`.
class FieldProblemOut(BaseModel):
    name: str = Field(description="The query parameter, path parameter or body field.")
    message: str = Field(description="What is wrong and what is accepted.")


class ErrorDetail(BaseModel):
    code: str = Field(
        description="Stable machine-readable code: bad_request, unauthenticated, forbidden, "
        "not_found, method_not_allowed, conflict, payload_too_large, invalid_input, "
        "rate_limited, internal_error, database_unavailable, cross_site_request, ..."
    )
    message: str = Field(description="Readable explanation; never repeats submitted values.")
    fields: list[FieldProblemOut] | None = Field(
        default=None, description="Only for invalid_input: one entry per field at fault."
    )


class ErrorBody(BaseModel):
    error: ErrorDetail


_DESCRIPTIONS = {
    401: "Not signed in (or the session expired)",
    403: "Signed in, but this role may not do this",
    404: "No such resource (or not visible to the caller)",
    409: "Conflicts with the current state",
    413: "Request body too large",
    422: "Invalid input: `error.fields` names each parameter or field and what is accepted",
    429: "Too many attempts; `Retry-After` says when to retry",
    503: "Temporarily unavailable (e.g. database unreachable); `Retry-After` says when to retry",
}
RETRY_AFTER_HEADER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer"},
    }
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """`responses=` entries for these statuses, all with the ErrorBody schema."""
    out: dict[int | str, dict[str, object]] = {}
    for status in statuses:
        entry: dict[str, object] = {"model": ErrorBody, "description": _DESCRIPTIONS[status]}
        if status in {429, 503}:
            entry["headers"] = RETRY_AFTER_HEADER
        out[status] = entry
    return out
