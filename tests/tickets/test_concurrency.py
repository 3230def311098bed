"""A form submitted several times at once (a double click that beat the button's disabling,
two tabs) still makes one ticket: the submissions wait on the form token's row, not on luck."""

from __future__ import annotations

import threading

import httpx

from support_analytics.auth.sessions import COOKIE_NAME
from support_analytics.db.engine import Database
from tests.fixtures.auth import Persona, TestUser, open_session
from tests.live.serving import serving
from tests.tickets.conftest import Count

SUBMITS = 4


def test_simultaneous_submits_of_one_form_make_one_ticket(
    fresh_database: str,
    owner_database: Database,
    personas: dict[Persona, TestUser],
    count: Count,
) -> None:
    session = open_session(owner_database, personas["client_a"])
    form = {
        "ticket_type_id": "3",
        "priority": "urgent",
        "title": "Site down",
        "message": "Everything returns 502.",
        "token": "race-token-1",
    }
    before = count("tickets")
    start = threading.Barrier(SUBMITS)
    answers: list[tuple[int, str | None]] = []

    def submit(base: str) -> None:
        with httpx.Client(base_url=base, cookies={COOKIE_NAME: session}, timeout=30) as client:
            start.wait()
            response = client.post("/portal/tickets/new", data=form, follow_redirects=False)
            answers.append((response.status_code, response.headers.get("location")))

    with serving(fresh_database) as base:
        threads = [threading.Thread(target=submit, args=(base,)) for _ in range(SUBMITS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(answers) == SUBMITS
    assert {status for status, _ in answers} == {303}
    assert len({location for _, location in answers}) == 1
    assert count("tickets") == before + 1
