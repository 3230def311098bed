"""Firing an alert from a browser test: a rule over the open tickets (always above 0 in the
reference data) and one evaluation, as the worker would run it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import text

from support_analytics.alerts import evaluate
from support_analytics.db.engine import connect
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.tenancy.scope import owner_transaction
from tests.browser.conftest import LiveServer


def fire_open_tickets_rule(live_server: LiveServer, owner_id: int, name: str) -> int:
    """Create the rule `name` for `owner_id`, evaluate once; returns the fired rule's id."""
    owner = connect(live_server.database_url, pool_size=2)
    requests = connect_for_requests(live_server.database_url, pool_size=1)
    try:
        with owner_transaction(owner) as session:
            session.execute(
                text(
                    "INSERT INTO alert_rules (owner_id, name, metric, comparator, threshold)"
                    " VALUES (:owner, :name, 'open_tickets', '>', 0)"
                ),
                {"owner": owner_id, "name": name},
            )
        [fired] = evaluate.evaluate(owner, requests, ZoneInfo("UTC"), live_server.base_url)
    finally:
        owner.engine.dispose()
        requests.engine.dispose()
    return fired.rule_id
