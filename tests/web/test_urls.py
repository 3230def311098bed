"""The one URL builder: parameters in a stable order, None left out, no bare `?`."""

from __future__ import annotations

from support_analytics.web.urls import url


def test_no_parameters_is_the_bare_path() -> None:
    assert url("/tickets") == "/tickets"
    assert url("/tickets", {}, page=None) == "/tickets"


def test_extra_overrides_in_place_and_none_is_left_out() -> None:
    assert (
        url("/tickets", {"status": "open", "q": "a b"}, status="closed", page=2, sort=None)
        == "/tickets?status=closed&q=a+b&page=2"
    )


def test_pairs_keep_repeated_keys() -> None:
    assert url("/x", [("ids", "1"), ("ids", "2")]) == "/x?ids=1&ids=2"
