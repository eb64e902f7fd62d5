"""The registry of continual-learning methods, by the name presets and --method use.

A method lives in one place: ``<name>.py`` holds its code (a Method subclass) and
``<name>.toml`` beside it everything said about it (summary, settings with their defaults,
bounds and meaning, scenario, optimizer lifetime, paper, the explain pane's prose, the docs'
methods table cell). The TOML files are plain data read with tomllib, so validating a preset,
`cftui methods`, the pickers and the explain pane load no torch; a method's class is imported
only when a run is built. Adding a method: those two files, and its name in NAMES.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cftui.train.methods import outside
from cftui.train.methods.record import MethodInfo, from_table

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
    "derpp",
    "er_ace",
    "icarl",
    "multihead",
    "packnet",
    "hnet",
)


def load(path: Path) -> MethodInfo:
    """A method's TOML file as a read-only record (every run and preset shares it). A file
    that misspells, misses or adds a key fails here, at import, not in a run."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return from_table(path.stem, table, path.name, bounded=True)


METHODS = tuple(load(HERE / f"{name}.toml") for name in NAMES)
_BY_NAME = {record.name: record for record in METHODS}


def setting_text(value: Any) -> str:
    """A setting as a preset writes it: true/false, or a number (10000, not 10000.0)."""
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"


def names() -> tuple[str, ...]:
    """Every method by name: the built-in ones, the installed ones, the files named."""
    return NAMES + tuple(outside.installed(NAMES)) + tuple(_FILES)


def every() -> tuple[MethodInfo, ...]:
    return tuple(info(name) for name in names())


def info(name: str) -> MethodInfo:
    """What a method is and which settings it takes; imports no torch (but a file's)."""
    if name in _FILES:
        return _FILES[name][0]
    return _BY_NAME.get(name) or outside.installed(NAMES)[name].info


def get(name: str) -> type[Method]:
    """The method's class, called as ``cls(params, seeds, objective)``; this imports torch."""
    if name in _FILES:
        return _FILES[name][1]
    if name in NAMES:
        record = _BY_NAME[name]
        return getattr(importlib.import_module(f"{__name__}.{name}"), record.class_name)
    return outside.installed(NAMES)[name].load()


def use_file(path: str | Path) -> str:
    """Load the method in file ``path`` (again, if it was: its edits take effect) and add it
    to the registry under the file's name; a problem raises outside.MethodLoadError (one
    line). Only a user's explicit choice calls this: a file is code."""
    record, cls = outside.from_file(Path(path), NAMES + tuple(outside.installed(NAMES)))
    _FILES[record.name] = (record, cls)
    return record.name


def recorded_files(names: Iterable[str]) -> dict[str, dict[str, str]]:
    """What a recording says of the method files among ``names``: each one's path and the
    sha256 of the code that ran (methods side by side may repeat a name)."""
    return {
        name: {"path": _FILES[name][0].source, "sha256": _FILES[name][0].digest}
        for name in dict.fromkeys(names)
        if name in _FILES
    }


def replayed_files(recorded: Any, configs: list[Any]) -> None:
    """A recording's method files known by name for its replay, which runs no code: each
    one not loaded here gets a record (its settings the recorded ones) and no class."""
    if not isinstance(recorded, dict):
        raise ValueError("method_files must be a table")
    for name, about in recorded.items():
        if name in names() or not (isinstance(about, dict) and str(name).isidentifier()):
            continue
        tables = [c.get("method") for c in configs if isinstance(c, dict)]
        given = next((t for t in tables if isinstance(t, dict) and t.get("name") == name), {})
        defaults = {k: v for k, v in given.items() if isinstance(v, int | float) and k != "name"}
        text = f"recorded from {about.get('path')} (sha256 {str(about.get('sha256'))[:12]})"
        table = {"class": "", "summary": text, **outside.TEXT_DEFAULTS}
        table["settings"] = {k: {"default": v, "about": ""} for k, v in defaults.items()}
        record = from_table(name, table, "the recording", origin=text, source="")
        _FILES[name] = (record, None)


def files() -> dict[str, str]:
    """The method files loaded, by name: what a worker process loads again (sweeps)."""
    return {name: record.source for name, (record, _) in _FILES.items() if record.source}


_FILES: dict[str, tuple[MethodInfo, type[Method]]] = {}  # the method files named, by name
