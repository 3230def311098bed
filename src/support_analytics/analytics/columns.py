"""Per-column filters and sorting for result tables (the team table): `contains:`/`is:` on text
columns, `eq:`/`gte:`/`lte:`/`between:` on numbers, `sort=col` or `sort=-col`."""

from __future__ import annotations

import math
from dataclasses import dataclass

from support_analytics.filters.grammar import InvalidFilter

TEXT_FORMS = "contains:TEXT (case-insensitive) or is:TEXT (exact)"
NUMBER_FORMS = "eq:N, gte:N, lte:N or between:N,M (N <= M; numbers may have decimals)"


@dataclass(frozen=True)
class TextMatch:
    exact: bool
    text: str

    def matches(self, value: str | None) -> bool:
        if value is None:
            return False
        if self.exact:
            return value == self.text
        return self.text.casefold() in value.casefold()

    def format(self) -> str:
        return f"{'is' if self.exact else 'contains'}:{self.text}"


@dataclass(frozen=True)
class NumberRange:
    low: float | None
    high: float | None

    def matches(self, value: float | None) -> bool:
        if value is None:
            return False
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)


def parse_text(parameter: str, raw: str) -> TextMatch:
    op, sep, text = raw.partition(":")
    if not sep or op not in ("contains", "is"):
        raise InvalidFilter(parameter, f"unknown operator in {raw!r}", TEXT_FORMS)
    if not text:
        raise InvalidFilter(parameter, "empty text", TEXT_FORMS)
    return TextMatch(exact=op == "is", text=text)


def _number(parameter: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidFilter(parameter, f"{text!r} is not a number", NUMBER_FORMS) from None
    if not math.isfinite(value):
        raise InvalidFilter(parameter, f"{text!r} is not a finite number", NUMBER_FORMS)
    return value


def parse_number_range(parameter: str, raw: str) -> NumberRange:
    op, sep, rest = raw.partition(":")
    if not sep:
        raise InvalidFilter(parameter, f"{raw!r} has no operator", NUMBER_FORMS)
    if op == "eq":
        value = _number(parameter, rest)
        return NumberRange(value, value)
    if op == "gte":
        return NumberRange(_number(parameter, rest), None)
    if op == "lte":
        return NumberRange(None, _number(parameter, rest))
    if op == "between":
        parts = rest.split(",")
        if len(parts) != 2:
            raise InvalidFilter(parameter, "between takes exactly two numbers", NUMBER_FORMS)
        low, high = _number(parameter, parts[0]), _number(parameter, parts[1])
        if low > high:
            raise InvalidFilter(
                parameter, f"between starts above its end ({low} > {high})", NUMBER_FORMS
            )
        return NumberRange(low, high)
    raise InvalidFilter(parameter, f"unknown operator {op!r}", NUMBER_FORMS)


def parse_sort(raw: str, columns: tuple[str, ...]) -> tuple[str, bool]:
    """`col` ascending or `-col` descending; returns (column, descending)."""
    descending = raw.startswith("-")
    column = raw.removeprefix("-")
    if column not in columns:
        forms = ", ".join(columns)
        raise InvalidFilter(
            "sort",
            f"unknown column {column!r}",
            f"one of {forms}, optionally prefixed by - for descending",
        )
    return column, descending
