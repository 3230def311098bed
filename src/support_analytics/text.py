"""Which characters typed text may hold: one rule for JSON bodies, forms and query strings.

- Control characters: PostgreSQL cannot store NUL at all (a 500, not a 422, if one got
  through), and the rest are invisible. Longer text keeps tabs and line breaks.
- Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) make text
  display in a different order than it is stored: `invoice\u202egpj.exe` reads as a harmless
  file name. They are refused like control characters.
- Lone surrogates (U+D800-U+DFFF) are valid in JSON escapes but are not text: they cannot be
  encoded as UTF-8, so they cannot be stored, logged or echoed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from support_analytics.errors import InvalidInput

_BIDI = "\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"

LINE_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f{_BIDI}{_SURROGATES}]")
TEXT_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{_BIDI}{_SURROGATES}]")
# A password may hold anything typeable; only what cannot be hashed or stored is refused.
SECRET_FORBIDDEN = re.compile(f"[\x00{_SURROGATES}]")

CONTROL_CHARACTERS = "must not contain control characters or invisible direction marks"


def is_clean(value: str, forbidden: re.Pattern[str] = LINE_FORBIDDEN) -> bool:
    return forbidden.search(value) is None


def refusing(forbidden: re.Pattern[str], *, strip: bool = True) -> Callable[[object], object]:
    """A pydantic BeforeValidator: trims (unless `strip` is false) and refuses `forbidden`."""

    def check(value: object) -> object:
        if not isinstance(value, str):
            return value  # the str validator after this one rejects it
        if strip:
            value = value.strip()
        if forbidden.search(value):
            raise ValueError(CONTROL_CHARACTERS)
        return value

    return check


def search_text(raw: str | None, parameter: str = "q") -> str | None:
    """A search box's text, trimmed; None when blank (no filter). Refused characters are a 422
    naming the parameter."""
    if raw is None or not raw.strip():
        return None
    if not is_clean(raw):
        raise InvalidInput(
            f"{parameter}: {CONTROL_CHARACTERS}. Accepted: plain text", field=parameter
        )
    return raw.strip()


def contains_pattern(text: str) -> str:
    """A LIKE / ILIKE pattern (escape character `\\`) for "contains `text`": the user's own
    `%`, `_` and `\\` match themselves, not any text."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
