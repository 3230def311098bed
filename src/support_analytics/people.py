"""How a person is named on screen. Team members have only a username ("sarah_jones") in the
reference schema; people read "Sarah Jones", the name a signed-in user's header shows."""

from __future__ import annotations


def display_name(username: str) -> str:
    """`sarah_jones` -> `Sarah Jones`: underscores separate words, each word capitalised."""
    return " ".join(part.capitalize() for part in username.split("_") if part)
