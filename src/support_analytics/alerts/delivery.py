"""Delivering a firing: the JSON body every channel is built from, the webhook job (retried
with backoff, each attempt logged in `alert_deliveries`), mail to the rule's subscribers and
the in-app notification (a stored `alert` live event, which reaches signed-in internal
users over the existing event stream and is replayed to a page that reconnects).

What a delivery carries is `payload()` and nothing else: the rule (name, metric, filters,
comparator, threshold, window) and the value computed under the rule owner's role, plus links.
Never a ticket, a client, a message or a person."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypedDict

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from procrastinate import BaseConnector, JobContext, RetryStrategy
from sqlalchemy import Connection, text

from support_analytics.alerts import webhooks
from support_analytics.alerts.rules import LABELS, Metric
from support_analytics.config import get_settings
from support_analytics.errors import InvalidInput
from support_analytics.jobs.tasks import app
from support_analytics.mail.message import Mail
from support_analytics.mail.outbox import queue_mail

log = logging.getLogger(__name__)

WEBHOOK_QUEUE = "alerts"
WEBHOOK_ATTEMPTS = 6
# Waits of 5, 11, 29, 83 and 245 s (2 s + 3^attempt): about six minutes of a receiver's
# outage are bridged; then the delivery stays `failed` in the log (and on /admin/jobs).
WEBHOOK_RETRY = RetryStrategy(
    max_attempts=WEBHOOK_ATTEMPTS,
    wait=2,
    exponential_wait=3,
    retry_exceptions={ConnectionError},
)

_MAIL = Environment(
    loader=FileSystemLoader(Path(__file__).parents[1] / "web" / "templates" / "alerts"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


class RulePayload(TypedDict):
    id: int
    name: str
    metric: str
    metric_label: str
    filters: str
    comparator: str
    threshold: float
    window_days: int | None
    sla_target: str | None


class Payload(TypedDict):
    event: str
    firing_id: int
    fired_at: str
    value: float | None
    rule: RulePayload
    url: str
    dashboard_url: str


_FIRING = """
SELECT f.id, f.kind, f.value, f.threshold, f.comparator, f.created_at,
       r.id AS rule_id, r.name, r.metric, r.filters, r.window_days, r.sla_target, r.webhook_id
  FROM alert_firings f JOIN alert_rules r ON r.id = f.rule_id
 WHERE f.id = :firing
"""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _payload(row: Callable[[str], object], base_url: str) -> Payload:
    """From a firing row (`_FIRING`), whichever driver read it: `row` is its item getter."""
    metric = Metric(str(row("metric")))
    created = row("created_at")
    filters = str(row("filters"))
    rule_id = _int(row("rule_id")) or 0
    target = row("sla_target")
    dashboard = (
        "/dashboard/responsiveness" if "frt" in metric or "awaiting" in metric else "/dashboard"
    )
    return Payload(
        event=f"alert.{row('kind')}",
        firing_id=_int(row("id")) or 0,
        fired_at=created.isoformat() if isinstance(created, datetime) else "",
        value=_float(row("value")),
        rule=RulePayload(
            id=rule_id,
            name=str(row("name")),
            metric=metric.value,
            metric_label=LABELS[metric],
            filters=filters,
            comparator=str(row("comparator")),
            threshold=_float(row("threshold")) or 0.0,
            window_days=_int(row("window_days")),
            sla_target=target if isinstance(target, str) else None,
        ),
        url=f"{base_url}/alerts/{rule_id}",
        dashboard_url=f"{base_url}{dashboard}" + (f"?{filters}" if filters else ""),
    )


def payload(connection: Connection, firing_id: int, base_url: str) -> Payload:
    row = connection.execute(text(_FIRING), {"firing": firing_id}).mappings().one()
    return _payload(row.__getitem__, base_url)


def body(data: Payload) -> bytes:
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()


def _number(value: float | None) -> str:
    return "no value" if value is None else f"{value:g}"


def alert_mail(to: str, data: Payload) -> Mail:
    rule = data["rule"]
    verb = "test of" if data["event"] == "alert.test" else "alert:"
    subject = f"Support Analytics {verb} {rule['name']}"
    context = {
        "subject": subject,
        "label": rule["metric_label"],
        "window_days": rule["window_days"],
        "value": _number(data["value"]),
        "comparator": rule["comparator"],
        "threshold": _number(rule["threshold"]),
        "filters": rule["filters"],
        "url": data["url"],
        "dashboard_url": data["dashboard_url"],
    }
    return Mail(
        to=to,
        subject=subject,
        text=_MAIL.get_template("mail.txt").render(context),
        html=_MAIL.get_template("mail.html").render(context),
    )


_SUBSCRIBERS = """
SELECT u.id, u.email FROM alert_subscriptions s JOIN users u ON u.id = s.user_id
 WHERE s.rule_id = :rule AND u.status = 'active' AND u.kind = 'internal'
 ORDER BY u.id
"""


def queue(connection: Connection, firing_id: int, base_url: str) -> None:
    """Queue every delivery of a firing in `connection`'s transaction (the owner login):
    they happen only if it commits. Links start with `base_url` (the public URL)."""
    data = payload(connection, firing_id, base_url)
    rule = data["rule"]
    webhook_id = connection.execute(
        text("SELECT webhook_id FROM alert_rules WHERE id = :rule"), {"rule": rule["id"]}
    ).scalar_one()
    if webhook_id is not None:
        delivery = connection.execute(
            text(
                "INSERT INTO alert_deliveries (firing_id, channel, webhook_id)"
                " VALUES (:firing, 'webhook', :hook) RETURNING id"
            ),
            {"firing": firing_id, "hook": webhook_id},
        ).scalar_one()
        driver = connection.connection.driver_connection
        send_webhook.configure(connection=driver).defer(delivery_id=int(delivery))
    for user in connection.execute(text(_SUBSCRIBERS), {"rule": rule["id"]}).mappings():
        queue_mail(connection, alert_mail(str(user["email"]), data))
        # Handed to the mail queue, whose retries and failures show on /admin/jobs.
        connection.execute(
            text(
                "INSERT INTO alert_deliveries (firing_id, channel, user_id, status, attempts,"
                " finished_at) VALUES (:firing, 'mail', :user, 'delivered', 1, now())"
            ),
            {"firing": firing_id, "user": user["id"]},
        )
    notify(connection, firing_id)


def notify(connection: Connection, firing_id: int) -> None:
    """The in-app notification: a stored live event (ids only, like every event on the live
    stream; the page fetches the firing through its own RLS-checked request). Stored, it gets
    a `seq` at commit, hence an id on the wire, and a page that reconnects with
    `Last-Event-ID` replays it (live/replay.py). No client id: only internal users' streams
    and replays carry it (migration 0018_alert_events)."""
    connection.execute(
        text("INSERT INTO live_events (kind, op, row_id) VALUES ('alert', 'fired', :firing)"),
        {"firing": firing_id},
    )


_WEBHOOK = """
SELECT d.id, d.firing_id, d.attempts, w.url, w.salt, k.key
  FROM alert_deliveries d
  JOIN alert_webhooks w ON w.id = d.webhook_id
  JOIN signing_keys k ON k.purpose = 'alert-webhook'
 WHERE d.id = %(delivery_id)s AND d.status = 'pending'
"""
_FIRING_PSYCOPG = _FIRING.replace(":firing", "%(firing)s")
_RECORD = """
UPDATE alert_deliveries
   SET attempts = attempts + 1, status = %(status)s, status_code = %(code)s, error = %(error)s,
       finished_at = CASE WHEN %(status)s = 'pending' THEN NULL ELSE now() END
 WHERE id = %(delivery_id)s
"""


@app.task(name="alerts.webhook", queue=WEBHOOK_QUEUE, retry=WEBHOOK_RETRY, pass_context=True)
async def send_webhook(context: JobContext, delivery_id: int) -> None:
    """POST one firing to its webhook, signed; log the attempt. A failed attempt raises and
    the job is retried with a growing wait; the last one leaves the delivery `failed`."""
    connector = context.app.connector
    rows = await connector.execute_query_all_async(query=_WEBHOOK, delivery_id=delivery_id)
    if not rows:
        log.warning("webhook delivery %s is gone or finished; nothing sent", delivery_id)
        return
    row = rows[0]
    firing = await connector.execute_query_all_async(
        query=_FIRING_PSYCOPG, firing=int(row["firing_id"])
    )
    settings = get_settings()
    data = _payload(firing[0].__getitem__, settings.link_base_url())
    url = str(row["url"])
    secret = webhooks.derive_secret(bytes(row["key"]), bytes(row["salt"]))
    last = int(row["attempts"]) + 1 >= WEBHOOK_ATTEMPTS
    try:
        webhooks.check_url(url, settings.webhook_allowed_hosts)
    except InvalidInput as exc:
        # The allow-list changed since the endpoint was added: never sent, never retried.
        await _record(connector, delivery_id, "failed", None, exc.message)
        return
    outcome = await asyncio.to_thread(webhooks.post, url, body(data), secret)
    if outcome.delivered:
        await _record(connector, delivery_id, "delivered", outcome.status_code, None)
        return
    await _record(
        connector, delivery_id, "failed" if last else "pending", outcome.status_code, outcome.error
    )
    if not last:
        raise ConnectionError(f"webhook delivery {delivery_id}: {outcome.error}")


async def _record(
    connector: BaseConnector, delivery_id: int, status: str, code: int | None, error: str | None
) -> None:
    await connector.execute_query_async(
        query=_RECORD, delivery_id=delivery_id, status=status, code=code, error=error
    )
