"""Rules, webhooks, subscriptions and history under the request's role: RLS decides who may
read and write (internal users read; managers and admins write rules; admins add webhooks),
these functions turn its refusals into 404, 403 and 422. Test firings, which only the owner
login may write, go through `send_test`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from support_analytics.alerts import delivery, webhooks
from support_analytics.alerts.evaluate import log_firing, rule_of
from support_analytics.alerts.rules import (
    COOLDOWN_MAX_MINUTES,
    Comparator,
    Metric,
    Rule,
    SlaTarget,
    check_shape,
    clean_name,
    normalise_filters,
    parse_filters,
)
from support_analytics.auth import signing_keys
from support_analytics.db.engine import Database
from support_analytics.errors import InvalidInput, NotFound, TooManyRequests
from support_analytics.tenancy.scope import owner_transaction

TEST_INTERVAL = timedelta(seconds=60)
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class RuleView:
    rule: Rule
    owner_name: str
    firing: bool
    value: float | None
    evaluated_at: datetime | None
    last_fired_at: datetime | None
    subscribed: bool
    subscribers: int


@dataclass(frozen=True)
class RuleInput:
    name: str
    metric: Metric
    filters: str
    comparator: Comparator
    threshold: float
    window_days: int | None
    sla_target: SlaTarget | None
    cooldown_minutes: int
    webhook_id: int | None


_SELECT = """
SELECT r.*, coalesce(nullif(u.display_name, ''), u.email) AS owner_name,
       coalesce(s.firing, false) AS firing, s.value, s.evaluated_at, s.last_fired_at,
       EXISTS (SELECT 1 FROM alert_subscriptions x
               WHERE x.rule_id = r.id AND x.user_id = :me) AS subscribed,
       (SELECT count(*) FROM alert_subscriptions x WHERE x.rule_id = r.id) AS subscribers
  FROM alert_rules r
  LEFT JOIN users u ON u.id = r.owner_id
  LEFT JOIN alert_state s ON s.rule_id = r.id
"""


def _view(row: RowMapping) -> RuleView:
    return RuleView(
        rule=rule_of(row),
        owner_name=str(row["owner_name"] or ""),
        firing=bool(row["firing"]),
        value=row["value"],
        evaluated_at=row["evaluated_at"],
        last_fired_at=row["last_fired_at"],
        subscribed=bool(row["subscribed"]),
        subscribers=int(row["subscribers"]),
    )


def list_rules(session: Session, me: int) -> list[RuleView]:
    rows = session.execute(text(f"{_SELECT} ORDER BY lower(r.name), r.id"), {"me": me})
    return [_view(row) for row in rows.mappings()]


def get_rule(session: Session, me: int, rule_id: int) -> RuleView:
    row = (
        session.execute(text(f"{_SELECT} WHERE r.id = :id"), {"me": me, "id": rule_id})
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no alert rule {rule_id}")
    return _view(row)


def checked(session: Session, data: RuleInput, today: dt.date) -> dict[str, object]:
    """The row to store: every field checked (422 naming it), the filters normalised."""
    filters = parse_filters(data.filters, today)
    window, target = check_shape(
        metric=data.metric,
        filters=filters,
        window_days=data.window_days,
        sla_target=data.sla_target,
    )
    if not 0 <= data.cooldown_minutes <= COOLDOWN_MAX_MINUTES:
        raise InvalidInput(
            f"cooldown_minutes: from 0 to {COOLDOWN_MAX_MINUTES}", field="cooldown_minutes"
        )
    if data.webhook_id is not None:
        found = session.execute(
            text("SELECT id FROM alert_webhooks WHERE id = :id"), {"id": data.webhook_id}
        ).scalar()
        if found is None:
            raise InvalidInput(f"webhook_id: no webhook {data.webhook_id}", field="webhook_id")
    return {
        "name": clean_name(data.name),
        "metric": data.metric.value,
        "filters": normalise_filters(data.filters, today),
        "comparator": data.comparator,
        "threshold": data.threshold,
        "window_days": window,
        "sla_target": target,
        "cooldown_minutes": data.cooldown_minutes,
        "webhook_id": data.webhook_id,
    }


def create_rule(
    session: Session, me: int, data: RuleInput, today: dt.date, *, subscribe: bool
) -> RuleView:
    values = checked(session, data, today)
    rule_id = session.execute(
        text(
            "INSERT INTO alert_rules (owner_id, name, metric, filters, comparator, threshold,"
            " window_days, sla_target, cooldown_minutes, webhook_id) VALUES (:me, :name,"
            " :metric, :filters, :comparator, :threshold, :window_days, :sla_target,"
            " :cooldown_minutes, :webhook_id) RETURNING id"
        ),
        {"me": me, **values},
    ).scalar_one()
    if subscribe:
        set_subscribed(session, me, int(rule_id), subscribed=True)
    return get_rule(session, me, int(rule_id))


def update_rule(
    session: Session, me: int, rule_id: int, data: RuleInput, today: dt.date
) -> RuleView:
    get_rule(session, me, rule_id)
    values = checked(session, data, today)
    session.execute(
        text(
            "UPDATE alert_rules SET name = :name, metric = :metric, filters = :filters,"
            " comparator = :comparator, threshold = :threshold, window_days = :window_days,"
            " sla_target = :sla_target, cooldown_minutes = :cooldown_minutes,"
            " webhook_id = :webhook_id, updated_at = now() WHERE id = :id"
        ),
        {"id": rule_id, **values},
    )
    return get_rule(session, me, rule_id)


def delete_rule(session: Session, me: int, rule_id: int) -> None:
    get_rule(session, me, rule_id)
    session.execute(text("DELETE FROM alert_rules WHERE id = :id"), {"id": rule_id})


def mute(session: Session, me: int, rule_id: int, minutes: int | None) -> RuleView:
    """Mute for `minutes` from now (firings are logged, nothing is sent); None unmutes."""
    get_rule(session, me, rule_id)
    session.execute(
        text(
            "UPDATE alert_rules SET muted_until = CASE WHEN CAST(:minutes AS integer) IS NULL"
            " THEN NULL ELSE now() + make_interval(mins => :minutes) END WHERE id = :id"
        ),
        {"id": rule_id, "minutes": minutes},
    )
    return get_rule(session, me, rule_id)


def set_subscribed(session: Session, me: int, rule_id: int, *, subscribed: bool) -> None:
    if subscribed:
        session.execute(
            text(
                "INSERT INTO alert_subscriptions (rule_id, user_id) VALUES (:rule, :me)"
                " ON CONFLICT DO NOTHING"
            ),
            {"rule": rule_id, "me": me},
        )
    else:
        session.execute(
            text("DELETE FROM alert_subscriptions WHERE rule_id = :rule AND user_id = :me"),
            {"rule": rule_id, "me": me},
        )


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    channel: str
    status: str
    attempts: int
    status_code: int | None
    error: str | None
    webhook_id: int | None
    user_id: int | None
    finished_at: datetime | None


@dataclass(frozen=True)
class FiringRow:
    id: int
    rule_id: int
    rule_name: str
    kind: str
    value: float | None
    threshold: float
    comparator: str
    suppressed: str | None
    created_at: datetime
    deliveries: list[DeliveryRow]


_FIRINGS = """
SELECT f.*, r.name AS rule_name FROM alert_firings f JOIN alert_rules r ON r.id = f.rule_id
"""


def _firings(session: Session, where: str, params: dict[str, object]) -> list[FiringRow]:
    rows = (
        session.execute(
            text(f"{_FIRINGS} {where} ORDER BY f.id DESC LIMIT :limit"),
            {**params, "limit": HISTORY_LIMIT},
        )
        .mappings()
        .all()
    )
    ids = [int(r["id"]) for r in rows]
    found: dict[int, list[DeliveryRow]] = {i: [] for i in ids}
    if ids:
        for d in session.execute(
            text("SELECT * FROM alert_deliveries WHERE firing_id = ANY(:ids) ORDER BY id"),
            {"ids": ids},
        ).mappings():
            found[int(d["firing_id"])].append(
                DeliveryRow(
                    id=int(d["id"]),
                    channel=str(d["channel"]),
                    status=str(d["status"]),
                    attempts=int(d["attempts"]),
                    status_code=d["status_code"],
                    error=d["error"],
                    webhook_id=d["webhook_id"],
                    user_id=d["user_id"],
                    finished_at=d["finished_at"],
                )
            )
    return [
        FiringRow(
            id=int(r["id"]),
            rule_id=int(r["rule_id"]),
            rule_name=str(r["rule_name"]),
            kind=str(r["kind"]),
            value=r["value"],
            threshold=float(r["threshold"]),
            comparator=str(r["comparator"]),
            suppressed=r["suppressed"],
            created_at=r["created_at"],
            deliveries=found[int(r["id"])],
        )
        for r in rows
    ]


def history(session: Session, me: int, rule_id: int) -> list[FiringRow]:
    get_rule(session, me, rule_id)
    return _firings(session, "WHERE f.rule_id = :rule", {"rule": rule_id})


def notifications(session: Session, *, after: int = 0) -> list[FiringRow]:
    """Firings that were delivered (not suppressed), newest first: the header's list."""
    return _firings(
        session,
        "WHERE f.kind IN ('fired', 'test') AND f.suppressed IS NULL AND f.id > :after",
        {"after": after},
    )


def send_test(database: Database, rule_id: int, base_url: str) -> int:
    """Log a `test` firing with the rule's last value and deliver it on every channel, as
    the owner login (request roles cannot write firings). At most one per rule per minute:
    429 with Retry-After otherwise. The caller checked the rule is visible to its role."""
    with owner_transaction(database) as session:
        row = (
            session.execute(
                text("SELECT * FROM alert_rules WHERE id = :id FOR UPDATE"), {"id": rule_id}
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"no alert rule {rule_id}")
        waited = session.execute(
            text(
                "SELECT extract(epoch FROM now() - max(created_at)) FROM alert_firings"
                " WHERE rule_id = :id AND kind = 'test'"
            ),
            {"id": rule_id},
        ).scalar()
        limit = TEST_INTERVAL.total_seconds()
        if waited is not None and float(waited) < limit:
            retry = max(1, int(limit - float(waited)) + 1)
            raise TooManyRequests(
                f"a test of this rule was sent {int(float(waited))} s ago; one a minute",
                retry_after=retry,
            )
        value = session.execute(
            text("SELECT value FROM alert_state WHERE rule_id = :id"), {"id": rule_id}
        ).scalar()
        firing_id = log_firing(
            session,
            rule_of(row),
            kind="test",
            value=None if value is None else float(value),
            suppressed=None,
            now=session.execute(text("SELECT now()")).scalar_one(),
        )
        delivery.queue(session.connection(), firing_id, base_url)
    return firing_id


@dataclass(frozen=True)
class Webhook:
    id: int
    name: str
    url: str
    created_at: datetime


def list_webhooks(session: Session) -> list[Webhook]:
    rows = session.execute(
        text("SELECT id, name, url, created_at FROM alert_webhooks ORDER BY lower(name), id")
    ).mappings()
    return [Webhook(int(r["id"]), str(r["name"]), str(r["url"]), r["created_at"]) for r in rows]


def add_webhook(
    session: Session, owner: Database, me: int, *, name: str, url: str, allowed: str
) -> tuple[Webhook, str]:
    """Add an endpoint (admins only, by RLS) and return it with its secret, shown this once."""
    cleaned = clean_name(name)
    checked_url = webhooks.check_url(url, allowed)
    salt = webhooks.new_salt()
    row = session.execute(
        text(
            "INSERT INTO alert_webhooks (name, url, salt, created_by)"
            " VALUES (:name, :url, :salt, :me) RETURNING id, created_at"
        ),
        {"name": cleaned, "url": checked_url, "salt": salt, "me": me},
    ).one()
    with owner_transaction(owner) as keys:
        key = signing_keys.key(keys, "alert-webhook")
    secret = webhooks.derive_secret(key, salt)
    return Webhook(int(row[0]), cleaned, checked_url, row[1]), secret


def delete_webhook(session: Session, webhook_id: int) -> None:
    deleted = session.execute(
        text("DELETE FROM alert_webhooks WHERE id = :id RETURNING id"), {"id": webhook_id}
    ).scalar()
    if deleted is None:
        raise NotFound(f"no webhook {webhook_id}")
