"""Statements built once per shape and kept for the process: a reader computes its filter's
shape (`filters.shaped`) and values, takes the statement of that shape from here (building it
the first time) and executes it with the values as parameters. A kept statement keeps its
SQLAlchemy cache key, so neither the tree nor the key is made again per request; at 1M
tickets building them was most of an analytics request's time (docs/performance.md)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from sqlalchemy.sql.base import Executable

S = TypeVar("S", bound=Executable)

# Shapes are few (which conditions a filter has and their kind, per reader): this bound only
# keeps a process that meets unusual ones from growing without end.
LIMIT = 4096
_BUILT: dict[Hashable, Executable] = {}


def built(key: Hashable, build: Callable[[], S]) -> S:
    """The statement kept under `key`, built by `build` the first time. `key` must name
    everything `build` depends on (the reader and the shape); `build` must not read a value:
    values are parameters, passed on every execution. Concurrent first calls may build twice
    and keep either: the statements are the same."""
    found = _BUILT.get(key)
    if found is None:
        if len(_BUILT) >= LIMIT:
            _BUILT.clear()
        found = _BUILT[key] = build()
    return cast("S", found)


def kept() -> int:
    """How many statements are kept."""
    return len(_BUILT)


def forget() -> None:
    """Drop every kept statement (a test that checks what building keeps)."""
    _BUILT.clear()
