"""The one LIKE escaper: what a user types matches itself, wildcards included."""

from __future__ import annotations

from support_analytics.text import contains_pattern


def test_wildcards_and_the_escape_character_match_themselves() -> None:
    assert contains_pattern("50%_off\\now") == "%50\\%\\_off\\\\now%"


def test_plain_text_is_wrapped() -> None:
    assert contains_pattern("acme") == "%acme%"
