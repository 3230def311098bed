"""The one way a page builds a link with a query string."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

Params = Mapping[str, str] | Iterable[tuple[str, str]]


def url(path: str, params: Params = (), /, **extra: str | int | None) -> str:
    """`path?query` from `params` (a mapping or, for repeated keys, pairs), with `extra` set
    on top (a None is left out, a number becomes text); just `path` when nothing is left.
    Keys keep their first position, so the same parameters always give the same URL."""
    pairs = list(params.items() if isinstance(params, Mapping) else params)
    if extra:
        merged = dict(pairs)
        merged.update({key: str(value) for key, value in extra.items() if value is not None})
        pairs = list(merged.items())
    query = urlencode(pairs)
    return f"{path}?{query}" if query else path
