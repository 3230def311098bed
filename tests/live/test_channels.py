"""Payload parsing and who may see which event."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from support_analytics.live.channels import KINDS, Event, parse, visible_to

A = Event(kind="ticket", op="insert", id=7, ticket_id=7, client_id=1)


def test_round_trip() -> None:
    assert parse(A.as_json()) == A


@given(st.text(max_size=200))
def test_garbage_is_dropped_not_raised(payload: str) -> None:
    event = parse(payload)
    assert event is None or event.kind in KINDS


def test_a_client_sees_only_its_own_client() -> None:
    assert visible_to(A, kind="client", client_id=1)
    assert not visible_to(A, kind="client", client_id=2)
    assert not visible_to(A, kind="client", client_id=None)


def test_internal_sees_everything_and_clients_never_see_bulk() -> None:
    bulk = Event(kind="bulk", op="bulk", ticket_id=None, client_id=None)
    assert visible_to(A, kind="internal", client_id=None)
    assert visible_to(bulk, kind="internal", client_id=None)
    assert not visible_to(bulk, kind="client", client_id=1)
    # An alert firing carries no client: internal users only.
    alert = Event(kind="alert", op="fired", id=3, ticket_id=None, client_id=None)
    assert parse(alert.as_json()) == alert
    assert visible_to(alert, kind="internal", client_id=None)
    assert not visible_to(alert, kind="client", client_id=1)
