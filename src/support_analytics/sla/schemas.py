"""Request and result models of the SLA API (field names as the contract's)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Basis = Literal["calendar", "business"]
PriorityName = Literal["low", "medium", "high", "urgent"]
Plan = Literal["starter", "professional", "enterprise"]
# How a target is named to people (pages, mail, list filters).
TARGET_LABELS = {"first_response": "First response", "resolution": "Resolution"}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class SlaTarget(_Result):
    met: int
    breached: int
    pending: int
    compliance_pct: float | None
    """met / (met + breached) in percent; null when neither."""


class SlaRecompute(_Result):
    """A recompute of every ticket's SLA after a policy or calendar edit, run as a job."""

    id: int
    status: Literal["queued", "running", "done", "superseded"]
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    done: int
    """Tickets recomputed so far."""
    total: int | None
    """Tickets when it started (null while queued)."""
    pct: float | None
    """done / total in percent (null while queued)."""


class SlaRecomputeState(_Result):
    recomputing: bool
    """True while the latest request is queued or running: SLA numbers are partly stale."""
    latest: SlaRecompute | None


class SlaBlock(_Result):
    first_response: SlaTarget
    resolution: SlaTarget
    recomputing: SlaRecompute | None = None
    """Set while a policy or calendar edit is being applied to every ticket: until it is
    done, these numbers mix old and new targets."""


class SlaBreachRow(_Result):
    ticket_id: int
    title: str
    priority: str | None
    client_id: int
    assigned_to: int | None
    target: Literal["first_response", "resolution"]
    due_at: datetime
    state: Literal["breached", "at_risk"]
    over_by_hours: float
    """Hours past the due time (calendar hours); negative for at-risk tickets: time left."""


class SlaBreachesPage(_Result):
    rows: list[SlaBreachRow]
    page: int
    page_size: int
    total: int
    recomputing: SlaRecompute | None = None
    """Set while a policy or calendar edit is being applied (the list may be stale)."""


class SlaBreakdownRow(_Result):
    key: str
    """The priority, team member id, client id or period (`2025-03`, a week's Monday, a
    day); empty for tickets without a priority or an assignee."""
    label: str
    tickets: int
    first_response_met: int
    first_response_breached: int
    first_response_pending: int
    first_response_compliance_pct: float | None
    resolution_met: int
    resolution_breached: int
    resolution_pending: int
    resolution_compliance_pct: float | None


class SlaBreakdown(_Result):
    by: Literal["priority", "team_member", "client", "period"]
    grain: Literal["day", "week", "month"] | None
    rows: list[SlaBreakdownRow]
    recomputing: SlaRecompute | None = None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyRule(_Input):
    """One row of the policy. `priority`, `ticket_type_id` and `plan` null mean any; the most
    specific matching row wins (ticket type, then plan, then priority). A null
    `first_response_hours` means no first-response target; a null `resolution_hours` means
    the ticket type's `avg_resolution_hours`."""

    priority: PriorityName | None = None
    ticket_type_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    plan: Plan | None = None
    first_response_hours: Decimal | None = Field(default=None, gt=0, le=100_000, decimal_places=4)
    first_response_basis: Basis = "calendar"
    resolution_hours: Decimal | None = Field(default=None, gt=0, le=100_000, decimal_places=4)
    resolution_basis: Basis = "calendar"


class PolicyRow(PolicyRule):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: int


class Policies(_Result):
    rules: list[PolicyRow]


class PoliciesInput(_Input):
    """The whole policy, replacing the current one."""

    rules: list[PolicyRule] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _unique(self) -> PoliciesInput:
        seen: set[tuple[object, ...]] = set()
        for index, rule in enumerate(self.rules):
            key = (rule.priority, rule.ticket_type_id, rule.plan)
            if key in seen:
                raise ValueError(
                    f"rules[{index}]: a second rule for the same priority, ticket_type_id and plan"
                )
            seen.add(key)
        return self


class Interval(_Input):
    start: str = Field(description="HH:MM, local time")
    end: str = Field(description="HH:MM, local time; 24:00 for midnight at the day's end")

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("expected HH:MM between 00:00 and 24:00")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class Holiday(_Input):
    day: date
    name: str = Field(default="", max_length=100)


class CalendarModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    timezone: str = Field(max_length=64)
    hours: dict[Literal["1", "2", "3", "4", "5", "6", "7"], list[Interval]] = Field(
        description="ISO weekday (1 = Monday) -> intervals; a missing day has no hours."
    )
    holidays: list[Holiday] = Field(default_factory=list, max_length=2000)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value

    @field_validator("hours")
    @classmethod
    def _few(cls, value: dict[str, list[Interval]]) -> dict[str, list[Interval]]:
        for day, intervals in value.items():
            if len(intervals) > 12:
                raise ValueError(f"day {day}: at most 12 intervals")
        return value


class CalendarPatch(_Input):
    timezone: str | None = Field(default=None, max_length=64)
    hours: dict[Literal["1", "2", "3", "4", "5", "6", "7"], list[Interval]] | None = None
    holidays: list[Holiday] | None = Field(default=None, max_length=2000)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            CalendarModel._zone(value)
        return value
