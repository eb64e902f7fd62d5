"""Generated bad inputs: hypothesis strategies that take a VALID document (a preset, a sweep
spec: nested dicts, lists and scalars, as TOML reads them) or a valid string (an address)
and break it the ways a user's hand or a bad disk does. Reusable by any test of an input
kind; the tests decide what a good answer is.

A mutation is one of :data:`KINDS`, applied at a key or item drawn from the whole document:
a value turned into another type, NaN, +-inf, 0, negative or huge, or nudged (a near value,
often still valid, for the rules between keys to judge); a key removed or renamed; an array
shortened or lengthened; a value nested deep. :func:`toml_text` writes a
document back as TOML (NaN and inf included) and :func:`truncated` cuts a text at any
byte, so the same mutations reach a reader of files.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

KINDS = (
    "type",
    "nan",
    "inf",
    "-inf",
    "zero",
    "negative",
    "huge",
    "remove",
    "rename",
    "shorten",
    "lengthen",
    "nest",
    "nudge",
    "nudge",
)
HUGE = (10**9, 2**31, 2**63 - 1, 1e18, 1e308, 1.7976931348623157e308)
NEST_DEPTHS = (2, 40, 3000)  # 3000: deeper than Python's recursion limit
OTHER_TYPES = st.one_of(
    st.text(max_size=12),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(-5, 5), max_size=3),
    st.just({}),
    st.just({"x": 1}),
)


def _places(doc: Any, depth: int = 0) -> Iterator[tuple[Any, Any]]:
    """Every (container, key or index) in ``doc``, depth first; not inside a value nested
    deep already (walking it would be the recursion a reader must not do)."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for key, value in list(items):
        yield doc, key
        if isinstance(value, dict | list) and depth < 8:
            yield from _places(value, depth + 1)


def _typo(draw: st.DrawFn, key: str) -> str:
    """``key`` with one character dropped, doubled or changed, or its case swapped."""
    how = draw(st.sampled_from(("drop", "double", "change", "case")))
    if not key or how == "case":
        return key.swapcase() if key.swapcase() != key else f"{key}_"
    at = draw(st.integers(0, len(key) - 1))
    if how == "drop":
        return key[:at] + key[at + 1 :]
    if how == "double":
        return key[:at] + key[at] + key[at:]
    return key[:at] + draw(st.sampled_from("aeiz_1 .")) + key[at + 1 :]


def _changed(draw: st.DrawFn, value: Any, kind: str) -> Any:
    """The new value for ``kind`` (not remove/rename), given the old."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "type":
        return draw(OTHER_TYPES)
    if kind in ("nan", "inf", "-inf"):
        return float(kind)
    if kind == "zero":
        return type(value)(0) if number else 0
    if kind == "negative":
        return -abs(value) - (1 if isinstance(value, int) else 0.5) if number else -1
    if kind == "nudge":  # a near value, often still valid: the rules between keys then judge it
        if isinstance(value, int) and not isinstance(value, bool):
            return value + draw(st.integers(-2, 2))
        return value * draw(st.sampled_from((0.25, 0.5, 1.5, 4.0))) if number else value
    if kind == "huge":
        return draw(st.sampled_from(HUGE))
    if kind == "shorten":
        return value[:-1] if isinstance(value, list) else value
    if kind == "lengthen":  # the last item again, shared: a copy of a value nested deep
        # would be the recursion the readers must not do (copy.deepcopy's RecursionError)
        return [*value, value[-1] if value else 0] if isinstance(value, list) else [value]
    depth = draw(st.sampled_from(NEST_DEPTHS))  # "nest"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated(draw: st.DrawFn, doc: dict, most: int = 3) -> dict:
    """A copy of ``doc`` with 1..``most`` mutations, each at a place drawn anew."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, most))):
        places = list(_places(doc))
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        kind = draw(st.sampled_from(KINDS))
        if kind == "remove" or (kind == "rename" and isinstance(container, list)):
            del container[key]
        elif kind == "rename":
            container[_typo(draw, key)] = container.pop(key)
        else:
            container[key] = _changed(draw, container[key], kind)
    return doc


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """``text`` with a character dropped, doubled or changed, cut short, or emptied."""
    how = draw(st.sampled_from(("typo", "typo", "cut", "empty", "pad", "any")))
    if how == "empty":
        return ""
    if how == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if how == "pad":
        return draw(st.sampled_from((" ", "\t", "x", ":", "/"))) + text
    if how == "any":
        return draw(st.text(max_size=30))
    return _typo(draw, text)


@st.composite
def truncated(draw: st.DrawFn, text: str) -> bytes:
    """``text`` (UTF-8) cut at any byte, so possibly inside a character, a string or a key."""
    raw = text.encode()
    return raw[: draw(st.integers(0, len(raw)))]


BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_text(doc: dict) -> str:
    """``doc`` as TOML: scalars first, then a [table] per nested dict; NaN and inf as TOML
    writes them. (What TOML cannot hold, an integer past 64 bits, makes a file it refuses.)"""
    out, pending = [], [((), doc)]
    while pending:
        path, table = pending.pop(0)
        if path:
            out.append(f"[{'.'.join(map(_key, path))}]")
        for key, value in table.items():
            if isinstance(value, dict):
                pending.append(((*path, key), value))
            else:
                out.append(f"{_key(key)} = {_value(value)}")
    return "\n".join(out) + "\n"


def _key(key: Any) -> str:
    key = str(key)
    return key if BARE_KEY.fullmatch(key) else json.dumps(key)


def _value(value: Any) -> str:
    depth = 0  # a value nested deep is written without recursing
    while isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        value, depth = value[0], depth + 1
    return "[" * depth + _flat(value) + "]" * depth


def _flat(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(_value(v) for v in value) + "]"
