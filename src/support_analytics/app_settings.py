"""The one way request code reads settings: typed FastAPI dependencies over the settings the
app was created with (`create_app(settings)` stores them), never `app.state` reads or the
process-wide `get_settings()` inside a request.

    def handler(settings: AppSettings, tz: ReportingZone) -> ...
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from support_analytics.config import Settings


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]


def session_ttl(request: Request) -> timedelta:
    """How long a session lives unused (it slides on every request)."""
    return timedelta(hours=app_settings(request).session_ttl_hours)


def reporting_zone(settings: AppSettings) -> ZoneInfo:
    """The zone dates are reported in: days of the date filter, months, buckets."""
    return ZoneInfo(settings.reporting_timezone)


ReportingZone = Annotated[ZoneInfo, Depends(reporting_zone)]
