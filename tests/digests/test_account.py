"""A user's own settings over the API and the account page: timezone, client notification
choices, digest subscriptions; bad input is a 422 naming the field and writes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.fixtures.auth import ApiClientFactory


def _prefs(client: TestClient) -> dict[str, object]:
    response = client.get("/api/v1/me/preferences")
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


def test_the_timezone_defaults_to_the_reporting_one_and_is_the_users_own(
    api_client_factory: ApiClientFactory,
) -> None:
    manager, agent = api_client_factory("manager"), api_client_factory("agent")
    assert _prefs(manager)["timezone"] is None
    assert _prefs(manager)["effective_timezone"] == "UTC"
    changed = manager.patch("/api/v1/me/preferences", json={"timezone": "Asia/Kolkata"})
    assert changed.status_code == 200, changed.text
    assert _prefs(manager)["effective_timezone"] == "Asia/Kolkata"
    assert _prefs(agent)["timezone"] is None  # one user's choice is not another's
    back = manager.patch("/api/v1/me/preferences", json={"timezone": None})
    assert back.json()["timezone"] is None
    assert anonymous_is_refused(api_client_factory("anonymous"))


def anonymous_is_refused(client: TestClient) -> bool:
    return client.get("/api/v1/me/preferences").status_code == 401


def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    api_client_factory: ApiClientFactory,
) -> None:
    manager = api_client_factory("manager")
    manager.patch("/api/v1/me/preferences", json={"timezone": "Europe/Berlin"})
    for body, field in (
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "x" * 65}, "timezone"),
        ({"colour": "red"}, "colour"),
    ):
        refused = manager.patch("/api/v1/me/preferences", json=body)
        assert refused.status_code == 422, refused.text
        assert field in refused.text
    assert _prefs(manager)["timezone"] == "Europe/Berlin"
    digest_bodies: tuple[tuple[dict[str, object], str], ...] = (
        ({"local_hour": 24}, "local_hour"),
        ({"weekday": 0}, "weekday"),
        ({"filters": "priority=sometimes"}, "priority"),
        ({"filters": "client=is:1"}, "filters"),
    )
    for digest_body, field in digest_bodies:
        refused = manager.put("/api/v1/digests/daily", json=digest_body)
        assert refused.status_code == 422, refused.text
        assert field in refused.text
    assert manager.put("/api/v1/digests/monthly", json={}).status_code == 422
    assert manager.get("/api/v1/digests").json()["rows"] == []
    assert manager.delete("/api/v1/digests/daily").status_code == 404


def test_the_account_page_saves_timezone_notifications_and_digests(
    api_client_factory: ApiClientFactory,
) -> None:
    client = api_client_factory("client_a")
    page = client.get("/account/settings")
    assert page.status_code == 200
    assert 'name="notify_ticket_replies"' in page.text
    saved = client.post(
        "/account/settings",
        data={
            "timezone": "America/New_York",
            "notify_ticket_resolved": "true",
            "weekly": "true",
            "local_hour": "7",
            "weekday": "5",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    prefs = _prefs(client)
    assert prefs["timezone"] == "America/New_York"
    assert (prefs["notify_ticket_replies"], prefs["notify_ticket_resolved"]) == (False, True)
    [digest] = client.get("/api/v1/digests").json()["rows"]
    assert (digest["frequency"], digest["local_hour"], digest["weekday"]) == ("weekly", 7, 5)
    # Staff have no notification choices, only digests (with dashboard filters).
    staff = api_client_factory("manager").get("/account/settings")
    assert 'name="notify_ticket_replies"' not in staff.text
    assert 'name="filters"' in staff.text
