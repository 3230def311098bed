"""The admin pages for the SLA policy and the business calendar: admins only, they show what
the API returns, every form writes through the API's functions, and bad input is a 422
naming the field with nothing written."""

from __future__ import annotations

import pytest

from tests.fixtures.auth import ApiClientFactory

PAGE = "/admin/sla"
POLICIES = "/api/v1/sla/policies"
CALENDAR = "/api/v1/sla/calendar"


def test_only_admins_see_the_page(api_client_factory: ApiClientFactory) -> None:
    anonymous = api_client_factory("anonymous").get(PAGE, follow_redirects=False)
    assert anonymous.status_code == 303
    for persona in ("client_a", "agent", "manager"):
        assert api_client_factory(persona).get(PAGE).status_code == 403, persona
        assert api_client_factory(persona).post(f"{PAGE}/calendar/timezone").status_code in (
            403,
            422,
        )
    assert (
        api_client_factory("agent")
        .post(f"{PAGE}/calendar/timezone", data={"timezone": "Europe/Berlin"})
        .status_code
        == 403
    )
    assert api_client_factory("agent").get(CALENDAR).json()["timezone"] == "UTC"


def test_the_page_shows_what_the_api_returns(api_client_factory: ApiClientFactory) -> None:
    admin = api_client_factory("admin")
    page = admin.get(PAGE)
    assert page.status_code == 200
    for rule in admin.get(POLICIES).json()["rules"]:
        assert f'id="rule-{rule["id"]}"' in page.text
    calendar = admin.get(CALENDAR).json()
    assert f'value="{calendar["timezone"]}"' in page.text
    assert 'name="hours_1" value="09:00-17:00"' in page.text
    assert 'name="hours_6" value=""' in page.text


def test_forms_edit_rules_and_the_calendar(api_client_factory: ApiClientFactory) -> None:
    admin = api_client_factory("admin")
    saved = admin.post(
        f"{PAGE}/rules",
        data={
            "priority": "high",
            "first_response_hours": "2.5",
            "first_response_basis": "business",
            "resolution_hours": "",
            "resolution_basis": "calendar",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/admin/sla?done=rule"
    rules = admin.get(POLICIES).json()["rules"]
    high = next(r for r in rules if r["priority"] == "high" and r["plan"] is None)
    assert float(high["first_response_hours"]) == 2.5
    assert high["first_response_basis"] == "business"
    assert high["resolution_hours"] is None
    assert len(rules) == 5
    # An override per plan, then deleted again.
    admin.post(
        f"{PAGE}/rules",
        data={"plan": "enterprise", "first_response_hours": "1", "resolution_hours": "8"},
    )
    rules = admin.get(POLICIES).json()["rules"]
    override = next(r for r in rules if r["plan"] == "enterprise")
    assert "enterprise" in admin.get(PAGE).text
    gone = admin.post(f"{PAGE}/rules/{override['id']}/delete", follow_redirects=False)
    assert gone.status_code == 303
    assert all(r["plan"] is None for r in admin.get(POLICIES).json()["rules"])

    assert (
        admin.post(
            f"{PAGE}/calendar/timezone", data={"timezone": "Europe/Berlin"}, follow_redirects=False
        ).status_code
        == 303
    )
    week = {f"hours_{d}": "09:00-12:30, 13:30-17:00" for d in range(1, 6)} | {"hours_6": ""}
    week["hours_7"] = "10:00-24:00"
    assert (
        admin.post(f"{PAGE}/calendar/hours", data=week, follow_redirects=False).status_code == 303
    )
    admin.post(f"{PAGE}/calendar/holidays", data={"day": "2025-10-03", "name": "Unity Day"})
    calendar = admin.get(CALENDAR).json()
    assert calendar["timezone"] == "Europe/Berlin"
    assert calendar["hours"]["1"] == [
        {"start": "09:00", "end": "12:30"},
        {"start": "13:30", "end": "17:00"},
    ]
    assert calendar["hours"]["7"] == [{"start": "10:00", "end": "24:00"}]
    assert "6" not in calendar["hours"]
    assert calendar["holidays"] == [{"day": "2025-10-03", "name": "Unity Day"}]
    shown = admin.get(PAGE).text
    assert "Unity Day" in shown
    assert "3 Oct 2025" in shown
    admin.post(f"{PAGE}/calendar/holidays/delete", data={"day": "2025-10-03"})
    assert admin.get(CALENDAR).json()["holidays"] == []


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("rules", {"priority": "low", "first_response_hours": "-1"}, "first_response_hours"),
        ("rules", {"priority": "asap", "first_response_hours": "1"}, "priority"),
        ("rules", {"priority": "low", "resolution_basis": "lunar"}, "resolution_basis"),
        ("rules", {"ticket_type_id": "999"}, "rules[0].ticket_type_id"),
        ("rules", {"ticket_type_id": "abc"}, "ticket_type_id"),
        ("rules/999999/delete", {}, "rule"),
        ("calendar/timezone", {"timezone": "Mars/Olympus"}, "timezone"),
        ("calendar/hours", {"hours_1": "09:00-12:00", "hours_2": "17:00-09:00"}, "hours.2"),
        ("calendar/hours", {"hours_3": "9 to 5"}, "hours.3"),
        ("calendar/hours", {"hours_4": "09:00-25:00"}, "hours.4.0.end"),
        ("calendar/holidays", {"day": "2025-02-30"}, "day"),
        ("calendar/holidays/delete", {"day": "2025-01-01"}, "day"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    api_client_factory: ApiClientFactory, path: str, data: dict[str, str], field: str
) -> None:
    admin = api_client_factory("admin")
    before = (admin.get(POLICIES).json(), admin.get(CALENDAR).json())
    response = admin.post(f"{PAGE}/{path}", data=data)
    assert response.status_code == 422, response.text
    assert field in response.text
    assert 'role="alert"' in response.text
    assert (admin.get(POLICIES).json(), admin.get(CALENDAR).json()) == before


def test_the_last_rule_cannot_be_deleted(api_client_factory: ApiClientFactory) -> None:
    admin = api_client_factory("admin")
    # A replace gives the kept rules new ids: read them again after each delete.
    while len(rules := admin.get(POLICIES).json()["rules"]) > 1:
        assert admin.post(f"{PAGE}/rules/{rules[0]['id']}/delete").status_code == 200
    last = admin.post(f"{PAGE}/rules/{rules[0]['id']}/delete")
    assert last.status_code == 422
    assert "rules" in last.text
    assert len(admin.get(POLICIES).json()["rules"]) == 1
