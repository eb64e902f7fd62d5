"""The checks a recording's values are made of (recording_schema composes them into the
format's rules): each raises Bad, naming the key (``losses[3][1]``) and what is wrong, which
the reader turns into one line naming the file and the line. Imports no torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LARGEST_INT = 2**53  # counters (steps, epochs, runs): exact in a float
LARGEST = 3.4028234663852886e38  # float32's largest: a run trains in float32, so no finite
# number it measures is larger (and matplotlib's transforms overflow far beyond it)


class Bad(Exception):
    """What is wrong with one value of a line: ``key`` names where, ``message`` what."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key, self.message = key, message


def where(key: str, index: int | str) -> str:
    return f"{key}[{index}]" if isinstance(index, int) else f"{key}.{index}" if key else index


def obj(value: Any, key: str) -> dict:
    if not isinstance(value, dict):
        raise Bad(key, f"expected an object, got {kind(value)}")
    return value


def keys(line: dict, required: set[str], optional: set[str], key: str = "") -> None:
    if missing := sorted(required - line.keys()):
        raise Bad(where(key, missing[0]), "missing")
    if unknown := sorted(line.keys() - required - optional):
        raise Bad(where(key, unknown[0]), "not a key of a recording")


def whole(value: Any, key: str, low: int = 0, high: int = LARGEST_INT) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Bad(key, f"expected a whole number, got {kind(value)}")
    if not low <= value <= high:
        raise Bad(key, f"must be within {low}..{high}, got {short(value)}")
    return value


def text(value: Any, key: str) -> None:
    if not isinstance(value, str):
        raise Bad(key, f"expected text, got {kind(value)}")


def number(value: Any, key: str, positive: bool = False) -> float:
    """A finite number within float32's range (JSON's 1e999 reads as inf, NaN as nan)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise Bad(key, f"expected a number, got {kind(value)}")
    if not -LARGEST <= value <= LARGEST or (positive and value <= 0):
        low = "0 <" if positive else f"{-LARGEST:.3g} <="
        raise Bad(key, f"must be a number {low} x <= {LARGEST:.3g}, got {short(value)}")
    return float(value)


def array(
    value: Any, key: str, item: Callable[[Any, str], object], length: int | None = None
) -> list:
    if not isinstance(value, list):
        raise Bad(key, f"expected a list, got {kind(value)}")
    if length is not None and len(value) != length:
        raise Bad(key, f"holds {len(value)} values, expected {length}")
    for i, entry in enumerate(value):
        item(entry, where(key, i))
    return value


def kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "null" if value is None else short(value)
    )


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


def class_of(count: int) -> Callable[[Any, str], int]:
    """A check of a class index among ``count`` classes."""
    return lambda value, key: whole(value, key, 0, count - 1)
