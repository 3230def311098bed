"""Request and response bodies of `/api/v1/alerts`, with the examples the OpenAPI shows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from support_analytics.alerts.queries import FiringRow, RuleInput, RuleView, Webhook
from support_analytics.alerts.rules import (
    COOLDOWN_MAX_MINUTES,
    FILTERS_MAX,
    NAME_MAX,
    THRESHOLD_MAX,
    WINDOW_MAX_DAYS,
    Comparator,
    Metric,
    SlaTarget,
)

_RULE_EXAMPLE: dict[str, JsonValue] = {
    "name": "Urgent tickets waiting for a first reply",
    "metric": "awaiting_first_reply",
    "filters": "priority=is:urgent",
    "comparator": ">",
    "threshold": 5,
    "cooldown_minutes": 60,
    "webhook_id": 1,
}


class AlertBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_RULE_EXAMPLE]})

    name: str = Field(min_length=1, max_length=NAME_MAX)
    metric: Metric
    filters: str = Field(
        default="",
        max_length=FILTERS_MAX,
        description="The dashboard's filter query string (date, team_member, ticket_type, "
        "priority, ...), e.g. `priority=any_of:high,urgent&team_member=is_not:unassigned`.",
    )
    comparator: Comparator
    threshold: float = Field(ge=-THRESHOLD_MAX, le=THRESHOLD_MAX, allow_inf_nan=False)
    window_days: int | None = Field(
        default=None,
        ge=1,
        le=WINDOW_MAX_DAYS,
        description="Windowed metrics (sla_breached, median_frt_hours, csat, new_tickets): "
        "tickets created in the last N days, today included (default 7). Others: none.",
    )
    sla_target: SlaTarget | None = Field(
        default=None, description="SLA metrics only: first_response (default) or resolution."
    )
    cooldown_minutes: int = Field(default=60, ge=0, le=COOLDOWN_MAX_MINUTES)
    webhook_id: int | None = Field(default=None, ge=1, le=2_147_483_647)

    def input(self) -> RuleInput:
        return RuleInput(
            name=self.name,
            metric=self.metric,
            filters=self.filters,
            comparator=self.comparator,
            threshold=self.threshold,
            window_days=self.window_days,
            sla_target=self.sla_target,
            cooldown_minutes=self.cooldown_minutes,
            webhook_id=self.webhook_id,
        )


class AlertCreate(AlertBody):
    subscribe: bool = Field(default=True, description="Mail its firings to you.")


class AlertOut(BaseModel):
    id: int
    name: str
    metric: Metric
    filters: str
    comparator: str
    threshold: float
    window_days: int | None
    sla_target: str | None
    cooldown_minutes: int
    webhook_id: int | None
    muted_until: datetime | None
    owner_id: int
    owner_name: str
    firing: bool
    value: float | None
    evaluated_at: datetime | None
    last_fired_at: datetime | None
    subscribed: bool
    subscribers: int

    @classmethod
    def of(cls, view: RuleView) -> AlertOut:
        rule = view.rule
        return cls(
            id=rule.id,
            name=rule.name,
            metric=rule.metric,
            filters=rule.filters,
            comparator=rule.comparator,
            threshold=rule.threshold,
            window_days=rule.window_days,
            sla_target=rule.sla_target,
            cooldown_minutes=rule.cooldown_minutes,
            webhook_id=rule.webhook_id,
            muted_until=rule.muted_until,
            owner_id=rule.owner_id,
            owner_name=view.owner_name,
            firing=view.firing,
            value=view.value,
            evaluated_at=view.evaluated_at,
            last_fired_at=view.last_fired_at,
            subscribed=view.subscribed,
            subscribers=view.subscribers,
        )


class AlertList(BaseModel):
    rows: list[AlertOut]


class MuteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"minutes": 120}]})

    minutes: int | None = Field(
        ge=1, le=COOLDOWN_MAX_MINUTES, description="Mute for this long; null unmutes."
    )


class DeliveryOut(BaseModel):
    id: int
    channel: str
    status: str
    attempts: int
    status_code: int | None
    error: str | None
    webhook_id: int | None
    user_id: int | None
    finished_at: datetime | None


class FiringOut(BaseModel):
    id: int
    rule_id: int
    rule_name: str
    kind: str
    value: float | None
    threshold: float
    comparator: str
    suppressed: str | None
    created_at: datetime
    deliveries: list[DeliveryOut]

    @classmethod
    def of(cls, row: FiringRow) -> FiringOut:
        return cls(
            id=row.id,
            rule_id=row.rule_id,
            rule_name=row.rule_name,
            kind=row.kind,
            value=row.value,
            threshold=row.threshold,
            comparator=row.comparator,
            suppressed=row.suppressed,
            created_at=row.created_at,
            deliveries=[DeliveryOut(**d.__dict__) for d in row.deliveries],
        )


class FiringList(BaseModel):
    rows: list[FiringOut]


class TestSent(BaseModel):
    firing_id: int


class WebhookBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "On-call pager", "url": "https://hooks.example.com/alerts"}]
        },
    )

    name: str = Field(min_length=1, max_length=NAME_MAX)
    url: str = Field(min_length=1, max_length=2000)


class WebhookOut(BaseModel):
    id: int
    name: str
    url: str
    created_at: datetime

    @classmethod
    def of(cls, hook: Webhook) -> WebhookOut:
        return cls(id=hook.id, name=hook.name, url=hook.url, created_at=hook.created_at)


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="The signing secret, shown this once: it is not stored and cannot be "
        "shown again."
    )


class WebhookList(BaseModel):
    rows: list[WebhookOut]
