"""Evaluating every rule: its value under the owner's own role, then the state machine.

1. As the owner login, one transaction takes an advisory lock (two workers, or the minute's
   run and a data-change run, never evaluate at once) and reads the rules with their state.
2. Per rule owner, the values are computed as that user (`mail.recipients.as_recipient`: a
   short session, a request transaction on the request pool, exactly as a request of theirs
   would run): row-level security decides what is counted. An owner who is disabled, or no longer a
   manager or admin, evaluates nothing (the rule stays as it was). The sessions are deleted.
3. Back in the locked transaction, per rule: crossing the threshold while not firing logs a
   `fired` firing and delivers it, unless the rule is muted or fired within its cooldown (the
   firing is logged with `suppressed`, nothing is sent); coming back while firing logs
   `recovered` and re-arms the rule. State, firings, deliveries, mail and jobs commit at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from support_analytics.alerts import delivery, metrics
from support_analytics.alerts.rules import Metric, Rule
from support_analytics.db.engine import Database
from support_analytics.mail.recipients import as_recipient
from support_analytics.tenancy.claims import Role
from support_analytics.tenancy.scope import owner_transaction

log = logging.getLogger(__name__)

# pg_advisory_xact_lock(int, int) keys: the alerts' own lock space.
LOCK_KEYS = (21313, 12)
WRITERS = frozenset({Role.MANAGER.value, Role.ADMIN.value})

_RULES = """
SELECT r.*, s.firing, s.last_fired_at, u.status AS owner_status, u.role AS owner_role
  FROM alert_rules r
  JOIN users u ON u.id = r.owner_id
  LEFT JOIN alert_state s ON s.rule_id = r.id
 ORDER BY r.id
"""


@dataclass(frozen=True)
class Loaded:
    rule: Rule
    firing: bool
    last_fired_at: datetime | None
    owner_can_evaluate: bool


@dataclass(frozen=True)
class Transition:
    rule_id: int
    kind: str
    value: float | None
    suppressed: str | None
    firing_id: int


def rule_of(row: RowMapping) -> Rule:
    return Rule(
        id=int(row["id"]),
        owner_id=int(row["owner_id"]),
        name=str(row["name"]),
        metric=Metric(str(row["metric"])),
        filters=str(row["filters"]),
        comparator=row["comparator"],
        threshold=float(row["threshold"]),
        window_days=row["window_days"],
        sla_target=row["sla_target"],
        cooldown_minutes=int(row["cooldown_minutes"]),
        webhook_id=row["webhook_id"],
        muted_until=row["muted_until"],
    )


def _load(session: Session) -> list[Loaded]:
    return [
        Loaded(
            rule=rule_of(row),
            firing=bool(row["firing"]),
            last_fired_at=row["last_fired_at"],
            owner_can_evaluate=row["owner_status"] == "active" and row["owner_role"] in WRITERS,
        )
        for row in session.execute(text(_RULES)).mappings()
    ]


def values_as_owner(
    owner: Database, requests: Database, user_id: int, rules: Iterable[Rule], tz: ZoneInfo
) -> dict[int, float | None] | None:
    """Each rule's value in a request transaction of `user_id` (None when that user's
    session does not resolve to a manager or admin now). A rule whose computation fails is
    left out (logged), the others go on."""
    with as_recipient(owner, requests, user_id) as scope:
        principal = scope.principal
        if principal is None or principal.role.value not in WRITERS:
            return None
        out: dict[int, float | None] = {}
        for rule in rules:
            try:
                with scope.session.begin_nested():
                    out[rule.id] = metrics.value(scope.session, rule, tz)
            except Exception:
                log.exception("alert rule %s could not be evaluated", rule.id)
        return out


def _decide(loaded: Loaded, value: float | None, now: datetime) -> tuple[str, str | None] | None:
    """The firing to log, if any: (kind, suppressed)."""
    rule = loaded.rule
    crossed = rule.crossed(value)
    if crossed and not loaded.firing:
        if rule.muted_until is not None and rule.muted_until > now:
            return "fired", "muted"
        cooldown = timedelta(minutes=rule.cooldown_minutes)
        if loaded.last_fired_at is not None and loaded.last_fired_at + cooldown > now:
            return "fired", "cooldown"
        return "fired", None
    if not crossed and loaded.firing:
        return "recovered", None
    return None


_UPSERT_STATE = """
INSERT INTO alert_state (rule_id, firing, value, evaluated_at, last_fired_at)
VALUES (:rule, :firing, :value, :now, :fired_at)
ON CONFLICT (rule_id) DO UPDATE
   SET firing = EXCLUDED.firing, value = EXCLUDED.value, evaluated_at = EXCLUDED.evaluated_at,
       last_fired_at = coalesce(EXCLUDED.last_fired_at, alert_state.last_fired_at)
"""
_LOG = """
INSERT INTO alert_firings (rule_id, kind, value, threshold, comparator, suppressed, created_at)
VALUES (:rule, :kind, :value, :threshold, :comparator, :suppressed, :now) RETURNING id
"""


def log_firing(
    session: Session,
    rule: Rule,
    *,
    kind: str,
    value: float | None,
    suppressed: str | None,
    now: datetime,
) -> int:
    return int(
        session.execute(
            text(_LOG),
            {
                "rule": rule.id,
                "kind": kind,
                "value": value,
                "threshold": rule.threshold,
                "comparator": rule.comparator,
                "suppressed": suppressed,
                "now": now,
            },
        ).scalar_one()
    )


def evaluate(owner: Database, requests: Database, tz: ZoneInfo, base_url: str) -> list[Transition]:
    """One evaluation of every rule (see the module's docstring); returns what changed."""
    transitions: list[Transition] = []
    with owner_transaction(owner) as session:
        session.execute(
            text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": LOCK_KEYS[0], "b": LOCK_KEYS[1]}
        )
        loaded = _load(session)
        by_owner: dict[int, list[Rule]] = {}
        for item in loaded:
            if item.owner_can_evaluate:
                by_owner.setdefault(item.rule.owner_id, []).append(item.rule)
        values: dict[int, float | None] = {}
        for user_id, rules in by_owner.items():
            values.update(values_as_owner(owner, requests, user_id, rules, tz) or {})
        now = datetime.now(UTC)
        for item in loaded:
            if item.rule.id not in values:
                continue
            value = values[item.rule.id]
            decision = _decide(item, value, now)
            firing = item.firing
            fired_at: datetime | None = None
            if decision is not None:
                kind, suppressed = decision
                firing_id = log_firing(
                    session, item.rule, kind=kind, value=value, suppressed=suppressed, now=now
                )
                transitions.append(Transition(item.rule.id, kind, value, suppressed, firing_id))
                firing = kind == "fired"
                if kind == "fired" and suppressed is None:
                    fired_at = now
                    delivery.queue(session.connection(), firing_id, base_url)
            session.execute(
                text(_UPSERT_STATE),
                {
                    "rule": item.rule.id,
                    "firing": firing,
                    "value": value,
                    "now": now,
                    "fired_at": fired_at,
                },
            )
    return transitions
