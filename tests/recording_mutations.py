"""Generated damage to valid recordings (hypothesis strategies), for the tests that hand
every kind of edit or corruption to `cftui figure` and `cftui replay`.

A mutation starts from a real recording's lines (JSON values) and changes one thing: a value
to another type, NaN, +-inf, 0, a negative or a huge number (also JSON's ``1e999``, which
reads as inf), a key removed or renamed, a list shortened or lengthened, a value nested
deeper than any recording nests (a little, or past the JSON parser's recursion limit); or
it works on the bytes: the file cut at any byte, a byte of a gzip file changed. The result is
the bytes of a file, gzip-compressed where the original was.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

OVERFLOW = "__overflow__"  # written as 1e999, a number JSON reads as inf
REPLACEMENTS = (
    "text",
    None,
    True,
    [],
    {},
    math.nan,
    math.inf,
    -math.inf,
    0,
    -1,
    -0.5,
    17,  # a whole number past a pixel's 16 levels, a class's index, a task's images
    10**30,
    3e38,  # within float32's range, what a recording holds
    1e39,
    1e308,
    2**63,
    OVERFLOW,
    "nan",
    "inf",
)
DEEP = 100_000  # past the JSON parser's recursion limit
SHALLOW = 40  # deeper than a recording nests, within the parser's limit
MARKER = "__nested__"  # where the nested value goes in the text


@dataclass(frozen=True)
class Original:
    """A valid recording: its lines as JSON values, and whether it is gzip-compressed."""

    name: str
    lines: list[Any]
    gz: bool

    @classmethod
    def load(cls, path) -> Original:
        raw = path.read_bytes()
        gz = raw[:2] == b"\x1f\x8b"
        text = (gzip.decompress(raw) if gz else raw).decode()
        return cls(path.name, [json.loads(line) for line in text.splitlines()], gz)

    def encode(self, lines: list[Any], text_edit=None) -> bytes:
        text = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
        text = text.replace(f'"{OVERFLOW}"', "1e999")
        if text_edit is not None:
            text = text_edit(text)
        data = text.encode()
        return gzip.compress(data, mtime=0) if self.gz else data


def _containers(value: Any, path: tuple = ()) -> list[tuple]:
    """The path of every list and object inside ``value`` (the line itself first); lists
    of numbers count once, not each number's index."""
    found = [path]
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        if isinstance(child, dict | list) and child:
            found += _containers(child, (*path, key))
    return found


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


@st.composite
def edited(draw, original: Original, line: int | None = None) -> bytes:
    """One change to one line (``line``, from 0, or any): a value replaced, a key removed or
    renamed, a list one shorter or longer, or a value nested in lists."""
    lines = json.loads(json.dumps(original.lines))  # a deep copy
    number = draw(st.integers(0, len(lines) - 1), label="line") if line is None else line
    where = draw(st.sampled_from(_containers(lines[number])), label="in")
    box = _at(lines[number], where)
    keys = sorted(box) if isinstance(box, dict) else range(len(box))
    key = draw(st.sampled_from(keys), label="key")
    renamed_or_longer = "rename" if isinstance(box, dict) else "lengthen"
    kind = draw(st.sampled_from(("value", "remove", renamed_or_longer, "nest")), label="kind")
    if kind == "value":
        box[key] = draw(st.sampled_from(REPLACEMENTS), label="to")
    elif kind == "remove":  # a key removed, or a list one shorter
        del box[key]
    elif kind == "rename":
        box[key + "_"] = box.pop(key)
    elif kind == "lengthen":
        box.insert(key, box[key])
    else:  # a value inside lists, a little deeper than a recording nests or past the parser
        depth = draw(st.sampled_from((SHALLOW, DEEP)), label="depth")
        value = json.dumps(box[key])
        box[key] = MARKER
        nested = "[" * depth + value + "]" * depth
        return original.encode(lines, lambda text: text.replace(f'"{MARKER}"', nested, 1))
    return original.encode(lines)


@st.composite
def cut(draw, original: Original) -> bytes:
    """The file cut at any byte (a gzip file: its compressed bytes)."""
    data = original.encode(original.lines)
    return data[: draw(st.integers(0, len(data)), label="cut at")]


@st.composite
def corrupted(draw, original: Original) -> bytes:
    """One byte of the file changed: of its compressed stream where it is gzip."""
    data = bytearray(original.encode(original.lines))
    at = draw(st.integers(0, len(data) - 1), label="byte")
    data[at] = (data[at] + draw(st.integers(1, 255), label="plus")) % 256
    return bytes(data)


def mutated(original: Original) -> st.SearchStrategy[bytes]:
    return st.one_of(edited(original), cut(original), corrupted(original))
