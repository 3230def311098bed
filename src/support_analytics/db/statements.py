"""Statements built once and kept for the process: a reader takes its statement from here
(building it the first time) and executes it with the filter's values and operators as
parameters (`filters.shaped`); only what the values cannot say (how many slices a rollup
read sums, which groupings it reads) picks one of a reader's few statements. A kept
statement keeps its SQLAlchemy cache key, so neither the tree nor the key is made again per
request; at 1M tickets building them was most of an analytics request's time
(docs/performance.md)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from sqlalchemy.sql.base import Executable

S = TypeVar("S", bound=Executable)

# The readers keep a few dozen (`analytics.responsiveness.warm_statements`): this bound only
# keeps a process that meets unusual ones from growing without end.
LIMIT = 4096
_BUILT: dict[Hashable, Executable] = {}


def built(key: Hashable, build: Callable[[], S]) -> S:
    """The statement kept under `key`, built by `build` the first time. `key` must name
    everything `build` depends on (the reader and its variant); `build` must not read a value:
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
