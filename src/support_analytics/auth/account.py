"""A user's own settings: `GET/PATCH /api/v1/me/preferences` (timezone, client
notifications) and the `/account/settings` page (the same, plus digest subscriptions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from support_analytics.app_settings import AppSettings
from support_analytics.auth import preferences
from support_analytics.auth.dependencies import CurrentUser, DbSession
from support_analytics.digests import subscriptions
from support_analytics.errors import AppError, error_responses
from support_analytics.web.templating import templates

router = APIRouter(prefix="/api/v1/me", tags=["account"], responses=error_responses(401, 422, 503))
pages = APIRouter(prefix="/account", tags=["pages"], include_in_schema=False)


class PreferencesOut(BaseModel):
    timezone: str | None = Field(description="IANA zone; null: the reporting timezone.")
    effective_timezone: str
    notify_ticket_replies: bool
    notify_ticket_resolved: bool

    @classmethod
    def of(cls, prefs: preferences.Preferences, reporting: str) -> PreferencesOut:
        return cls(
            timezone=prefs.timezone,
            effective_timezone=prefs.zone(reporting).key,
            notify_ticket_replies=prefs.notify_ticket_replies,
            notify_ticket_resolved=prefs.notify_ticket_resolved,
        )


class PreferencesPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(
        default=None, max_length=64, description="IANA zone; null goes back to the reporting one."
    )
    notify_ticket_replies: bool | None = None
    notify_ticket_resolved: bool | None = None


@router.get("/preferences")
def get_preferences(db: DbSession, user: CurrentUser, settings: AppSettings) -> PreferencesOut:
    """Your timezone and which ticket mails you get (client users)."""
    prefs = preferences.get(db, user.user_id)
    return PreferencesOut.of(prefs, settings.reporting_timezone)


@router.patch("/preferences")
def patch_preferences(
    body: PreferencesPatch, db: DbSession, user: CurrentUser, settings: AppSettings
) -> PreferencesOut:
    """Change what you send; `"timezone": null` goes back to the reporting timezone."""
    prefs = preferences.update(
        db,
        user.user_id,
        timezone=body.timezone,
        clear_timezone="timezone" in body.model_fields_set and body.timezone is None,
        notify_ticket_replies=body.notify_ticket_replies,
        notify_ticket_resolved=body.notify_ticket_resolved,
    )
    return PreferencesOut.of(prefs, settings.reporting_timezone)


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _settings_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    settings: AppSettings,
    *,
    error: str | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    digests = {s.frequency: s for s in subscriptions.list_own(db, user.user_id)}
    return templates.TemplateResponse(
        request,
        "account/settings.html",
        {
            "principal": user,
            "prefs": preferences.get(db, user.user_id),
            "zones": preferences.timezone_names(),
            "reporting_timezone": settings.reporting_timezone,
            "digests": digests,
            "weekdays": WEEKDAYS,
            "error": error,
            "done": done,
        },
        status_code=status_code,
    )


@pages.get("/settings")
def settings_form(
    request: Request, db: DbSession, user: CurrentUser, settings: AppSettings, done: int = 0
) -> Response:
    return _settings_page(request, db, user, settings, done=done == 1)


@pages.post("/settings")
def settings_submit(
    *,
    request: Request,
    db: DbSession,
    user: CurrentUser,
    settings: AppSettings,
    timezone: Annotated[str, Form(max_length=64)] = "",
    notify_ticket_replies: Annotated[bool, Form()] = False,
    notify_ticket_resolved: Annotated[bool, Form()] = False,
    daily: Annotated[bool, Form()] = False,
    weekly: Annotated[bool, Form()] = False,
    local_hour: Annotated[int, Form(ge=0, le=23)] = 8,
    weekday: Annotated[int, Form(ge=1, le=7)] = 1,
    filters: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        preferences.update(
            db,
            user.user_id,
            timezone=timezone,
            clear_timezone=not timezone.strip(),
            notify_ticket_replies=notify_ticket_replies if user.is_client else None,
            notify_ticket_resolved=notify_ticket_resolved if user.is_client else None,
        )
        current = {s.frequency: s for s in subscriptions.list_own(db, user.user_id)}
        for frequency, wanted in (("daily", daily), ("weekly", weekly)):
            if wanted:
                subscriptions.subscribe(
                    db,
                    user.user_id,
                    frequency=frequency,
                    local_hour=local_hour,
                    weekday=weekday,
                    query=filters,
                )
            elif frequency in current:
                subscriptions.unsubscribe(db, user.user_id, current[frequency].id)
    except AppError as exc:
        db.rollback()
        return _settings_page(
            request, db, user, settings, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse("/account/settings?done=1", status_code=303)


# Both routers, for create_app to include in one line.
routes = APIRouter()
routes.include_router(router)
routes.include_router(pages)
