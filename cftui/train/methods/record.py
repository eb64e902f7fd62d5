"""What a method is, as one record: read from a built-in method's TOML (methods/__init__.py)
or from outside (outside.py: a file's TOML or its class). Plain data, no torch."""

from __future__ import annotations

import math
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MethodInfo:
    """One method's TOML file, read: each field is a key there (the settings split into
    ``defaults``, ``least``, ``most`` and ``about``); an unknown or missing key fails at
    import."""

    name: str  # the key presets and --method use: the file's name
    class_name: str  # the Method subclass in <name>.py (``class`` in the file)
    summary: str  # one line for `cftui methods` and the method picker
    task_aware: bool  # told which task an input belongs to, in training and at test (the
    # task-incremental scenario: a head, mask or weights per task); the others see x alone
    optimizer_lifetime: str  # as its paper trains: "run", one optimizer throughout; "task", a
    # fresh one at each task ([train] optimizer_lifetime = "method" follows this)
    paper: str
    idea: str  # the explain pane's prose: why it works,
    formula: str  # its update (a line per equation),
    needs: str  # what it keeps,
    fails: str  # and when it fails
    detail: str  # what it does, precisely: its cell in the docs' methods table
    defaults: Mapping[str, Any]  # the settings a preset may set, and their defaults
    least: Mapping[str, float]  # a number setting's smallest accepted value (every built-in
    most: Mapping[str, float]  # has both; a user's method may leave them out): beyond them a
    # run breaks, or it is a typo
    about: Mapping[str, str]  # per setting: what it is and what raising it trades
    only_in: Sequence[str] = ()  # the scenarios it can run in ("class", "task", "domain"; ""
    # a regression); empty: every one. validation.unfit_method refuses the others
    origin: str = ""  # where it comes from when not built in: "installed from PACKAGE" or
    # "file PATH" (outside.py)
    source: str = ""  # the file of its code, for a method from a file
    digest: str = ""  # the sha256 of that code as it was loaded (recordings say it)

    @property
    def scenario(self) -> str:
        """How the method is shown wherever it is named."""
        return "task id given" if self.task_aware else ""


def from_table(
    name: str, table: dict[str, Any], where: str, bounded: bool = False, **extra: str
) -> MethodInfo:
    """A method's TOML table (already read; ``where`` names it in errors) as its record.
    ``bounded``: every number setting must say its least and most (the built-ins do); a
    user's may leave them out: then 0 and no upper bound."""
    settings = table.pop("settings", {})
    for key, setting in settings.items():
        given = set(setting) if isinstance(setting, dict) else set()
        if given - {"least", "most"} != {"default", "about"}:
            raise ValueError(f"{where} [settings.{key}]: needs default and about (and least, most)")
        if bounded and not isinstance(setting["default"], bool) and {"least", "most"} - given:
            raise ValueError(f"{where} [settings.{key}]: needs least and most (its bounds)")
    numbers = [k for k, s in settings.items() if not isinstance(s["default"], bool)]

    def each(key: str) -> Mapping[str, Any]:
        return types.MappingProxyType({k: s[key] for k, s in settings.items() if key in s})

    def bound(key: str, unsaid: float) -> Mapping[str, float]:
        """Every number setting's ``key`` (least or most), ``unsaid`` where its table has none."""
        return types.MappingProxyType({k: settings[k].get(key, unsaid) for k in numbers})

    return MethodInfo(
        name=name,
        class_name=table.pop("class"),
        **table,
        defaults=each("default"),
        least=bound("least", 0.0),
        most=bound("most", math.inf),
        about=each("about"),
        **extra,
    )
