"""The registry of continual-learning methods, by the name presets and --method use.

A method lives in one place: ``<name>.py`` holds its code (a Method subclass) and
``<name>.toml`` beside it everything said about it (summary, settings with their defaults,
bounds and meaning, scenario, optimizer lifetime, paper, the explain pane's prose, README's
table cell). The TOML files are plain data read with tomllib, so validating a preset,
`cftui methods`, the pickers and the explain pane load no torch; a method's class is imported
only when a run is built. Adding a method: those two files, and its name in NAMES.
"""

from __future__ import annotations

import importlib
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cftui.train.methods.base import Method

HERE = Path(__file__).parent
NAMES = (  # the order every list shows: baselines, rehearsal, penalties, task-aware ones
    "naive",
    "joint",
    "replay",
    "ewc",
    "online_ewc",
    "si",
    "mas",
    "l2",
    "lwf",
    "agem",
    "multihead",
    "packnet",
    "hnet",
)


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
    detail: str  # what it does, precisely: its cell in README's methods table
    defaults: Mapping[str, Any]  # the settings a preset may set, and their defaults
    least: Mapping[str, float]  # every number setting's smallest accepted value
    most: Mapping[str, float]  # and its largest: beyond them a run breaks, or it is a typo
    about: Mapping[str, str]  # per setting: what it is and what raising it trades

    @property
    def scenario(self) -> str:
        """How the method is shown wherever it is named."""
        return "task id given" if self.task_aware else ""


def load(path: Path) -> MethodInfo:
    """A method's TOML file as a read-only record (every run and preset shares it). A file
    that misspells, misses or adds a key fails here, at import, not in a run."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    settings = table.pop("settings", {})
    for key, setting in settings.items():
        bounds = set() if isinstance(setting.get("default"), bool) else {"least", "most"}
        if set(setting) != {"default", "about", *bounds}:
            needs = ", ".join(sorted({"default", "about", *bounds}))
            raise ValueError(f"{path.name} [settings.{key}]: needs {needs}, and nothing else")

    def each(key: str) -> Mapping[str, Any]:
        return types.MappingProxyType({k: s[key] for k, s in settings.items() if key in s})

    return MethodInfo(
        name=path.stem,
        class_name=table.pop("class"),
        **table,
        defaults=each("default"),
        least=each("least"),
        most=each("most"),
        about=each("about"),
    )


METHODS = tuple(load(HERE / f"{name}.toml") for name in NAMES)
_BY_NAME = {record.name: record for record in METHODS}


def setting_text(value: Any) -> str:
    """A setting as a preset writes it: true/false, or a number (10000, not 10000.0)."""
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"


def names() -> tuple[str, ...]:
    return NAMES


def info(name: str) -> MethodInfo:
    """What a method is and which settings it takes; imports no torch."""
    return _BY_NAME[name]


def get(name: str) -> type[Method]:
    """The method's class, called as ``cls(params, seed)``; this imports torch."""
    record = _BY_NAME[name]
    return getattr(importlib.import_module(f"{__name__}.{name}"), record.class_name)
