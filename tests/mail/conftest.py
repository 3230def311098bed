"""`smtp`: a loopback SMTP server the app is configured to send through (environment set
before the app and the worker read their settings)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support_analytics.config import get_settings
from tests.mail.smtp import Mailbox, smtp_server

PUBLIC_URL = "https://support.example.test"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with smtp_server() as (mailbox, port):
        monkeypatch.setenv("SUPPORT_ANALYTICS_SMTP_URL", f"smtp://127.0.0.1:{port}?starttls=off")
        monkeypatch.setenv("SUPPORT_ANALYTICS_PUBLIC_URL", PUBLIC_URL)
        get_settings.cache_clear()
        try:
            yield mailbox
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
