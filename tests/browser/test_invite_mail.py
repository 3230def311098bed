"""An admin invites a user in the admin UI; the mail reaches a loopback SMTP server; its link
(built from the public URL) opens the set-password page; the new password signs in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Page, expect

from support_analytics.config import get_settings
from tests.browser.conftest import LiveServer, Login, start_server
from tests.jobs.helpers import run_worker_until_idle
from tests.mail.smtp import Mailbox, smtp_server

PUBLIC_URL = "https://support.example.test"
EMAIL = "invited.in.browser@tests.example"
NEW_PASSWORD = "amber-lantern-quiet-47"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as (mailbox, port), pytest.MonkeyPatch.context() as patch:
        # The worker runs in this process and reads its settings from here.
        patch.setenv("SUPPORT_ANALYTICS_SMTP_URL", f"smtp://127.0.0.1:{port}?starttls=off")
        get_settings.cache_clear()
        try:
            yield mailbox
        finally:
            get_settings.cache_clear()


@pytest.fixture(scope="module")
def live_server(server_database: str, mailbox: Mailbox) -> Iterator[LiveServer]:
    del mailbox
    yield from start_server(server_database, env={"SUPPORT_ANALYTICS_PUBLIC_URL": PUBLIC_URL})


def test_an_invite_mailed_from_the_admin_ui_sets_a_password_that_signs_in(
    page: Page, login: Login, mailbox: Mailbox, live_server: LiveServer, browser: Browser
) -> None:
    login(page, "admin")
    page.goto("/admin")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    page.fill("#staff-email", EMAIL)
    page.select_option("#staff-member", "8")
    page.select_option("#staff-role", "manager")
    page.locator("#staff-email").locator("xpath=ancestor::form").get_by_role(
        "button", name="Create invite link"
    ).click()
    shown = page.locator("#issued-link .link-box").inner_text().strip()
    assert shown.startswith(f"{PUBLIC_URL}/set-password/"), shown
    assert mailbox.received == []  # queued by the request, sent by the worker

    # Playwright's sync API holds this thread's event loop: the worker gets a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run_worker_until_idle, live_server.database_url).result(timeout=90)
    [mail] = mailbox.wait_for(1)
    assert mail.recipients == (EMAIL,)
    [link] = re.findall(r"https?://\S+/set-password/\S+", mail.part("plain"))
    assert link == shown

    # A new visitor (no admin cookie) follows the mailed link; the public URL is this server.
    visitor = browser.new_context(base_url=live_server.base_url, locale="en-US")
    try:
        invited = visitor.new_page()
        invited.goto(link.removeprefix(PUBLIC_URL))
        invited.get_by_label("New password").fill(NEW_PASSWORD)
        invited.get_by_label("Repeat it").fill(NEW_PASSWORD)
        invited.get_by_role("button", name="Set password").click()
        expect(invited).not_to_have_url(re.compile(r"/set-password/"))

        invited.context.clear_cookies()
        invited.goto("/login")
        invited.get_by_label("Email").fill(EMAIL)
        invited.get_by_label("Password").fill(NEW_PASSWORD)
        invited.get_by_role("button", name="Sign in").click()
        expect(invited).to_have_url(re.compile(r"/dashboard$"))
        me = invited.request.get("/api/v1/me")
        assert me.status == 200, me.text()
        assert me.json()["email"] == EMAIL
    finally:
        visitor.close()
