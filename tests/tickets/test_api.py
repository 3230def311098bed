"""/api/v1/tickets through real sessions and RLS: input rules, tenancy, workflow."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.fixtures.auth import CLIENT_A_ID, CLIENT_B_ID, ApiClientFactory
from tests.tickets.conftest import NEW_TICKET, Count, create


class TestCreate:
    def test_always_for_the_callers_client_open_and_unassigned(self, client_a: TestClient) -> None:
        ticket = create(client_a, client_id=CLIENT_B_ID, status="resolved", assigned_to=3)
        assert ticket["client_id"] == CLIENT_A_ID
        assert ticket["status"] == "open"
        assert ticket["assigned_to"] is None
        assert ticket["resolved_at"] is None
        detail = client_a.get(f"/api/v1/tickets/{ticket['id']}").json()
        assert [(m["from_client"], m["text"]) for m in detail["messages"]] == [
            (True, NEW_TICKET["message"])
        ]
        assert detail["feedback"] is None

    # One app and database for all cases: each case is one request, a fresh app would be ~1 s.
    BAD_FIELDS: tuple[tuple[str, object], ...] = (
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 256),
        ("title", None),
        ("title", "nul\x00byte"),
        ("title", "bell\x07"),
        ("message", ""),
        ("message", " \n "),
        ("message", "x" * 10_001),
        ("message", "nul\x00byte"),
        ("priority", "critical"),
        ("priority", None),
        ("ticket_type_id", "1"),
        ("ticket_type_id", 0),
        ("ticket_type_id", 1.5),
        ("ticket_type_id", 2**40),
    )

    def test_input_rules(self, client_a: TestClient, count: Count) -> None:
        before = (count("tickets"), count("ticket_messages"))
        for field, value in self.BAD_FIELDS:
            response = client_a.post("/api/v1/tickets", json={**NEW_TICKET, field: value})
            assert response.status_code == 422, (field, value, response.text)
            assert field in response.text, (field, value)
        assert (count("tickets"), count("ticket_messages")) == before

    def test_limits_are_inclusive(self, client_a: TestClient) -> None:
        ticket = create(client_a, title="t" * 255, message="m" * 10_000)
        assert ticket["title"] == "t" * 255

    def test_a_type_that_does_not_exist_writes_nothing(
        self, client_a: TestClient, count: Count
    ) -> None:
        before = (count("tickets"), count("ticket_messages"))
        response = client_a.post("/api/v1/tickets", json={**NEW_TICKET, "ticket_type_id": 999})
        assert response.status_code == 422
        assert "ticket type" in response.json()["error"]["message"]
        assert (count("tickets"), count("ticket_messages")) == before

    def test_same_idempotency_key_twice_makes_one_ticket(
        self, client_a: TestClient, count: Count
    ) -> None:
        before = count("tickets")
        headers = {"Idempotency-Key": "form-token-1"}
        first = client_a.post("/api/v1/tickets", json=NEW_TICKET, headers=headers)
        second = client_a.post("/api/v1/tickets", json=NEW_TICKET, headers=headers)
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] == second.json()["id"]
        assert count("tickets") == before + 1
        other = client_a.post("/api/v1/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "2"})
        spaced = client_a.post(
            "/api/v1/tickets", json=NEW_TICKET, headers={"Idempotency-Key": "a b"}
        )
        assert spaced.status_code == 422
        assert other.json()["id"] != first.json()["id"]

    def test_another_clients_key_is_not_a_replay(
        self, client_a: TestClient, client_b: TestClient
    ) -> None:
        headers = {"Idempotency-Key": "shared"}
        a = client_a.post("/api/v1/tickets", json=NEW_TICKET, headers=headers).json()
        b = client_b.post("/api/v1/tickets", json=NEW_TICKET, headers=headers).json()
        assert (a["client_id"], b["client_id"]) == (CLIENT_A_ID, CLIENT_B_ID)
        assert a["id"] != b["id"]

    def test_internal_users_do_not_create_tickets(self, agent: TestClient, count: Count) -> None:
        before = count("tickets")
        assert agent.post("/api/v1/tickets", json=NEW_TICKET).status_code == 403
        assert count("tickets") == before

    def test_text_is_stored_verbatim_and_returned_as_data(self, client_a: TestClient) -> None:
        script = "<script>alert('x')</script>"
        ticket = create(client_a, title=script, message=script)
        detail = client_a.get(f"/api/v1/tickets/{ticket['id']}").json()
        assert detail["title"] == script
        assert detail["messages"][0]["text"] == script


class TestTenancy:
    def test_other_clients_ticket_is_404_for_every_verb_and_nothing_is_written(
        self, client_a: TestClient, client_b: TestClient, agent: TestClient, count: Count
    ) -> None:
        ticket_id = create(client_a)["id"]
        agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"})
        before = (count("tickets"), count("ticket_messages"), count("ticket_feedback"))
        calls = [
            client_b.get(f"/api/v1/tickets/{ticket_id}"),
            client_b.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "hi"}),
            client_b.post(f"/api/v1/tickets/{ticket_id}/feedback", json={"rating": 1}),
            client_b.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed"}),
        ]
        for response in calls:
            assert response.status_code == 404, response.text
            assert response.json()["error"]["message"] == "Ticket not found"
        missing = client_b.get("/api/v1/tickets/99999999")
        assert missing.json() == calls[0].json()  # indistinguishable from a missing id
        assert (count("tickets"), count("ticket_messages"), count("ticket_feedback")) == before
        assert client_a.get(f"/api/v1/tickets/{ticket_id}").json()["status"] == "resolved"

    def test_a_client_lists_only_its_own_tickets(self, client_a: TestClient) -> None:
        page = client_a.get("/api/v1/tickets", params={"page_size": 100}).json()
        assert page["total"] > 0
        assert {row["client_id"] for row in page["rows"]} == {CLIENT_A_ID}
        # Filtering on another client finds nothing, as if its tickets did not exist.
        for other in ({"client": "is:2"}, {"client": "any_of:2,3"}):
            assert client_a.get("/api/v1/tickets", params=other).json()["total"] == 0
        bad = client_a.get("/api/v1/tickets", params={"plan": "is:gold"})
        assert bad.status_code == 422
        assert [f["name"] for f in bad.json()["error"]["fields"]] == ["plan"]

    def test_anonymous_gets_401(self, api_client_factory: ApiClientFactory) -> None:
        anonymous = api_client_factory("anonymous")
        assert anonymous.get("/api/v1/tickets").status_code == 401
        assert anonymous.post("/api/v1/tickets", json=NEW_TICKET).status_code == 401


class TestReplies:
    def test_client_and_agent_replies_are_attributed(
        self, client_a: TestClient, agent: TestClient
    ) -> None:
        ticket_id = create(client_a)["id"]
        mine = client_a.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "more"})
        theirs = agent.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "on it"})
        assert mine.status_code == theirs.status_code == 201
        assert (mine.json()["from_client"], mine.json()["from_team_member_id"]) == (True, None)
        assert (theirs.json()["from_client"], theirs.json()["from_team_member_id"]) == (False, 3)
        texts = [m["text"] for m in client_a.get(f"/api/v1/tickets/{ticket_id}").json()["messages"]]
        assert texts == [NEW_TICKET["message"], "more", "on it"]

    def test_message_length(self, client_a: TestClient, count: Count) -> None:
        ticket_id = create(client_a)["id"]
        before = count("ticket_messages")
        for text in ("", "   ", "x" * 10_001, None, "nul\x00"):
            response = client_a.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": text})
            assert response.status_code == 422, text
        assert count("ticket_messages") == before
        ok = client_a.post(f"/api/v1/tickets/{ticket_id}/messages", json={"text": "y" * 10_000})
        assert ok.status_code == 201


class TestFeedback:
    def test_once_on_a_resolved_ticket_then_409(
        self, client_a: TestClient, agent: TestClient, count: Count
    ) -> None:
        ticket_id = create(client_a)["id"]
        early = client_a.post(f"/api/v1/tickets/{ticket_id}/feedback", json={"rating": 5})
        assert early.status_code == 409
        agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"})
        first = client_a.post(
            f"/api/v1/tickets/{ticket_id}/feedback", json={"rating": 4, "text": "quick"}
        )
        assert first.status_code == 201, first.text
        assert first.json()["rating"] == 4
        before = count("ticket_feedback")
        second = client_a.post(f"/api/v1/tickets/{ticket_id}/feedback", json={"rating": 1})
        assert second.status_code == 409
        assert count("ticket_feedback") == before
        shown = client_a.get(f"/api/v1/tickets/{ticket_id}").json()["feedback"]
        assert (shown["rating"], shown["text"]) == (4, "quick")

    def test_rating_is_an_integer_from_1_to_5(
        self, client_a: TestClient, agent: TestClient, count: Count
    ) -> None:
        ticket_id = create(client_a)["id"]
        agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed"})
        before = count("ticket_feedback")
        for rating in (0, 6, 4.5, "4", None, True, -1):
            response = client_a.post(
                f"/api/v1/tickets/{ticket_id}/feedback", json={"rating": rating}
            )
            assert response.status_code == 422, rating
        for bad_text in ("x" * 10_001, "nul\x00"):
            response = client_a.post(
                f"/api/v1/tickets/{ticket_id}/feedback", json={"rating": 3, "text": bad_text}
            )
            assert response.status_code == 422, bad_text
        assert count("ticket_feedback") == before

    def test_internal_users_do_not_leave_feedback(
        self, client_a: TestClient, agent: TestClient
    ) -> None:
        ticket_id = create(client_a)["id"]
        agent.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "resolved"})
        assert (
            agent.post(f"/api/v1/tickets/{ticket_id}/feedback", json={"rating": 5}).status_code
            == 403
        )


class TestUpdate:
    def test_status_moves_keep_the_timestamps_consistent(
        self, client_a: TestClient, agent: TestClient
    ) -> None:
        ticket_id = create(client_a)["id"]
        url = f"/api/v1/tickets/{ticket_id}"

        def move(status: str) -> dict[str, object]:
            response = agent.patch(url, json={"status": status})
            assert response.status_code == 200, response.text
            body: dict[str, object] = response.json()
            return body

        assert move("in_progress")["resolved_at"] is None
        resolved = move("resolved")
        assert resolved["resolved_at"] is not None
        assert resolved["closed_at"] is None
        closed = move("closed")
        assert closed["resolved_at"] == resolved["resolved_at"]
        assert closed["closed_at"] is not None
        backwards = agent.patch(url, json={"status": "resolved"})
        assert backwards.status_code == 409
        assert "reopen" in backwards.json()["error"]["message"]
        reopened = move("open")
        assert (reopened["resolved_at"], reopened["closed_at"]) == (None, None)
        closed_directly = move("closed")
        assert closed_directly["resolved_at"] == closed_directly["closed_at"]

    def test_priority_and_assignee(self, client_a: TestClient, agent: TestClient) -> None:
        ticket_id = create(client_a)["id"]
        url = f"/api/v1/tickets/{ticket_id}"
        body = agent.patch(url, json={"priority": "urgent", "assigned_to": 5}).json()
        assert (body["priority"], body["assigned_to"]) == ("urgent", 5)
        assert agent.patch(url, json={"priority": "low"}).json()["assigned_to"] == 5
        assert agent.patch(url, json={"assigned_to": None}).json()["assigned_to"] is None
        assert agent.patch(url, json={"assigned_to": 999}).status_code == 422
        assert agent.patch(url, json={"priority": "asap"}).status_code == 422
        assert agent.patch(url, json={"status": "done"}).status_code == 422

    def test_clients_cannot_change_status_priority_or_assignee(self, client_a: TestClient) -> None:
        ticket = create(client_a)
        url = f"/api/v1/tickets/{ticket['id']}"
        for change in ({"status": "closed"}, {"priority": "urgent"}, {"assigned_to": 3}):
            assert client_a.patch(url, json=change).status_code == 403
        after = client_a.get(url).json()
        assert (after["status"], after["priority"], after["assigned_to"]) == (
            "open",
            ticket["priority"],
            None,
        )


class TestList:
    def test_filters_status_search_and_pages(
        self, client_a: TestClient, agent: TestClient, count: Count
    ) -> None:
        ticket_id = create(client_a, title="Needle in a haystack 7f3a")["id"]
        found = agent.get(
            "/api/v1/tickets",
            params={"q": "haystack 7F3A", "status": "open", "client": f"is:{CLIENT_A_ID}"},
        ).json()
        assert [r["id"] for r in found["rows"]] == [ticket_id]
        by_id = agent.get("/api/v1/tickets", params={"q": f"#{ticket_id}"}).json()
        assert ticket_id in [r["id"] for r in by_id["rows"]]
        assert (
            agent.get("/api/v1/tickets", params={"q": "haystack", "status": "resolved"}).json()[
                "total"
            ]
            == 0
        )
        filtered = agent.get(
            "/api/v1/tickets", params={"priority": "is:high", "team_member": "is:unassigned"}
        ).json()
        assert ticket_id in [r["id"] for r in filtered["rows"]]
        page2 = agent.get("/api/v1/tickets", params={"page": 2, "page_size": 10}).json()
        assert (page2["page"], page2["page_size"], len(page2["rows"])) == (2, 10, 10)
        assert page2["total"] == count("tickets")

    def test_bad_parameters_are_422(self, agent: TestClient) -> None:
        for params in (
            {"status": "done"},
            {"client": "abc"},
            {"client": "is:abc"},
            {"plan": "is:gold"},
            {"page": "0"},
            {"page_size": "101"},
            {"priority": "is:critical"},
            {"date": "between:2025-03-02,2025-03-01"},
            {"format": "xml"},
            {"colour": "red"},
            {"q": "nul\x00"},
        ):
            response = agent.get("/api/v1/tickets", params=params)
            assert response.status_code == 422, (params, response.text)
            assert next(iter(params)) in response.text, params

    def test_csv_has_every_matching_row(self, client_a: TestClient) -> None:
        create(client_a, title='=HYPERLINK("http://evil")')
        total = client_a.get("/api/v1/tickets").json()["total"]
        response = client_a.get("/api/v1/tickets", params={"format": "csv"})
        assert response.headers["content-type"].startswith("text/csv")
        lines = response.text.strip().split("\r\n")
        assert lines[0].startswith("id,client_id,client,title,status")
        assert len(lines) == total + 1
        assert "'=HYPERLINK" in response.text

    def test_csv_follows_the_client_and_plan_filters(self, agent: TestClient, count: Count) -> None:
        for params in (
            {"client": "any_of:2,3"},
            {"plan": "is_not:starter", "priority": "is:urgent"},
            {"client": "none_of:1", "plan": "is:enterprise"},
        ):
            total = agent.get("/api/v1/tickets", params=params).json()["total"]
            assert total > 0, params
            rows = list(
                csv.DictReader(
                    io.StringIO(
                        agent.get("/api/v1/tickets", params=params | {"format": "csv"}).text
                    )
                )
            )
            assert len(rows) == total, params
        two = agent.get("/api/v1/tickets", params={"client": "any_of:2,3", "format": "csv"}).text
        assert {row["client_id"] for row in csv.DictReader(io.StringIO(two))} == {"2", "3"}
        want = count("tickets WHERE client_id IN (2, 3)")
        assert agent.get("/api/v1/tickets", params={"client": "any_of:2,3"}).json()["total"] == want
