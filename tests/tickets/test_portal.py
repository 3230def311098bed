"""The client portal pages: lists, forms with field-level messages, PRG, escaping, tenancy."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.fixtures.auth import ApiClientFactory
from tests.tickets.conftest import Count, create

SCRIPT = "<script>alert('pwned')</script>"


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _form(token: str, **changes: str) -> dict[str, str]:
    return {
        "ticket_type_id": "2",
        "priority": "medium",
        "title": "Invoice is wrong",
        "message": "Line 3 is doubled.",
        "token": token,
        **changes,
    }


def test_create_redirects_to_the_ticket_and_a_double_submit_makes_one(
    client_a: TestClient, count: Count
) -> None:
    token = _token(client_a.get("/portal/tickets/new").text)
    before = count("tickets")
    first = client_a.post("/portal/tickets/new", data=_form(token), follow_redirects=False)
    again = client_a.post("/portal/tickets/new", data=_form(token), follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert re.fullmatch(r"/portal/tickets/\d+\?created=1", first.headers["location"])
    assert count("tickets") == before + 1
    tampered = client_a.post("/portal/tickets/new", data=_form("bad\x00token"))
    assert tampered.status_code == 200  # a fresh token took its place; the ticket is made
    assert count("tickets") == before + 2
    page = client_a.get(first.headers["location"])
    assert "Invoice is wrong" in page.text
    assert "Ticket created" in page.text
    listing = client_a.get("/portal", params={"q": "Invoice is wrong"})
    assert "Invoice is wrong" in listing.text


def test_every_field_gets_its_own_message_and_keeps_the_input(
    client_a: TestClient, count: Count
) -> None:
    token = _token(client_a.get("/portal/tickets/new").text)
    before = count("tickets")
    response = client_a.post(
        "/portal/tickets/new",
        data=_form(token, title="", message="x" * 10_001, ticket_type_id="99", priority="asap"),
    )
    assert response.status_code == 422
    html = response.text
    for message in (
        "Enter a title of 1 to 255 characters.",
        "Describe the problem in 1 to 10,000 characters.",
        "Choose a priority: low, medium, high or urgent.",
    ):
        assert message in html
    assert 'aria-invalid="true"' in html
    assert _token(html) == token  # the retry is still the same submission
    fixed = client_a.post(
        "/portal/tickets/new", data=_form(token, ticket_type_id="99"), follow_redirects=False
    )
    assert fixed.status_code == 422
    assert "Choose one of the listed ticket types." in fixed.text
    assert count("tickets") == before


def test_script_in_title_and_message_renders_as_text(client_a: TestClient) -> None:
    ticket = create(client_a, title=SCRIPT, message=SCRIPT)
    for url in (f"/portal/tickets/{ticket['id']}", "/portal"):
        html = client_a.get(url).text
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html


def test_reply_and_feedback_forms(
    client_a: TestClient, api_client_factory: ApiClientFactory, count: Count
) -> None:
    ticket_id = create(client_a)["id"]
    url = f"/portal/tickets/{ticket_id}"
    assert "once the ticket is resolved" in client_a.get(url).text
    empty = client_a.post(f"{url}/messages", data={"text": "  "})
    assert empty.status_code == 422
    assert "Write a message of 1 to 10,000 characters." in empty.text
    sent = client_a.post(f"{url}/messages", data={"text": "Any news?"}, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"].startswith(f"{url}#message-")
    agent = api_client_factory("agent")
    agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"})
    assert 'name="rating"' in client_a.get(url).text
    bad = client_a.post(f"{url}/feedback", data={"rating": "7", "text": "meh"})
    assert bad.status_code == 422
    assert "Choose a rating from 1 to 5." in bad.text
    given = client_a.post(f"{url}/feedback", data={"rating": "5", "text": SCRIPT})
    assert given.status_code == 200  # followed the redirect
    assert 'name="rating"' not in given.text  # read-only once given
    assert "5 / 5" in given.text
    assert SCRIPT not in given.text
    before = count("ticket_feedback")
    second = client_a.post(f"{url}/feedback", data={"rating": "1"})
    assert second.status_code == 409
    assert "already given" in second.text
    assert count("ticket_feedback") == before


def test_another_clients_ticket_is_a_404_page(
    client_a: TestClient, api_client_factory: ApiClientFactory, count: Count
) -> None:
    ticket_id = create(client_a)["id"]
    client_b = api_client_factory("client_b")
    before = count("ticket_messages")
    page = client_b.get(f"/portal/tickets/{ticket_id}")
    assert page.status_code == 404
    assert "Printer on fire" not in page.text
    reply = client_b.post(f"/portal/tickets/{ticket_id}/messages", data={"text": "hello"})
    assert reply.status_code == 404
    assert count("ticket_messages") == before
    assert client_b.get("/portal/tickets/987654321").status_code == 404


def test_internal_users_and_anonymous_do_not_get_the_portal(
    api_client_factory: ApiClientFactory,
) -> None:
    assert api_client_factory("agent").get("/portal").status_code == 403
    anonymous = api_client_factory("anonymous").get("/portal", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")


def test_list_filters_by_status_and_pages(client_a: TestClient) -> None:
    page = client_a.get("/portal", params={"status": "resolved,closed"})
    assert page.status_code == 200
    assert "status-open" not in page.text
    assert "status-resolved" in page.text
    second = client_a.get("/portal", params={"page": 2})
    assert 'rel="prev"' in second.text
    assert client_a.get("/portal", params={"status": "nope"}).status_code == 422
    assert client_a.get("/portal", params={"q": "nul\x00"}).status_code == 422
    beyond = client_a.get("/portal", params={"page": 9999})
    assert "past the last one" in beyond.text
    assert "no tickets yet" not in beyond.text
