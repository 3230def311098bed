"""An app that may send webhooks to 127.0.0.1, the personas signed in to it, and the owner
and request pools the evaluator uses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from support_analytics.alerts import evaluate
from support_analytics.alerts.evaluate import Transition
from support_analytics.config import Settings, get_settings
from support_analytics.db.engine import Database
from support_analytics.tenancy.connection import connect_for_requests
from support_analytics.web.app import create_app
from tests.fixtures.auth import Persona, TestUser, sign_in

BASE_URL = "https://alerts.tests.example"


@dataclass
class AlertWorld:
    app: FastAPI
    owner: Database
    requests: Database
    clients: dict[Persona, TestClient]

    def evaluate(self) -> list[Transition]:
        """One evaluation, as the periodic job runs it."""
        return evaluate.evaluate(self.owner, self.requests, ZoneInfo("UTC"), BASE_URL)


@pytest.fixture
def alert_world(
    monkeypatch: pytest.MonkeyPatch,
    fresh_database: str,
    owner_database: Database,
    personas: dict[Persona, TestUser],
) -> Iterator[AlertWorld]:
    # The worker reads the process's settings; the app gets the same ones.
    monkeypatch.setenv("SUPPORT_ANALYTICS_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("SUPPORT_ANALYTICS_PUBLIC_URL", BASE_URL)
    get_settings.cache_clear()
    app = create_app(Settings(database_url=fresh_database))
    requests = connect_for_requests(fresh_database, pool_size=1)
    try:
        with TestClient(app):
            clients = {persona: sign_in(app, user) for persona, user in personas.items()}
            clients["anonymous"] = TestClient(app, raise_server_exceptions=False)
            yield AlertWorld(app, owner_database, requests, clients)
            for client in clients.values():
                client.close()
    finally:
        requests.engine.dispose()
        get_settings.cache_clear()
