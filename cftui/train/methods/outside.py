"""Methods from outside the package: a file the user names, or one an installed package offers.

A method file is code, so it runs only when a user names it (``--method PATH``, the app's
"open a file…") or installed the package that offers it (entry-point group ``cftui.methods``,
``name = "module:Class"``); a preset is data and may name an installed method, never a file.

What the method is (its summary, settings and text) comes from a TOML beside its code,
``<file stem>.toml`` with the keys of a built-in method's TOML, of which only ``summary`` is
required; with no TOML, from the class: its docstring's first line is the summary and a
``settings`` dict its settings' defaults. Anything wrong is a MethodLoadError: one line that
names the file (and the line, for code that fails).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import importlib.util
import sys
import tomllib
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cftui.train.methods.record import MethodInfo, from_table

if TYPE_CHECKING:
    from cftui.train.methods.base import Method

GROUP = "cftui.methods"  # the entry-point group installed packages offer methods in
TEXT_DEFAULTS = {  # what a method from outside leaves out of its TOML
    "task_aware": False,
    "optimizer_lifetime": "run",
    "paper": "",
    "idea": "",
    "formula": "",
    "needs": "",
    "fails": "",
    "detail": "",
}
SETTING_FIELDS = {"defaults", "least", "most", "about"}  # a TOML's [settings], split
KEYS = {f.name for f in fields(MethodInfo)} - {"name", "class_name", *SETTING_FIELDS}
KEYS = (KEYS - {"origin", "source"}) | {"class", "settings"}


KIND_NAMES = {bool: "true or false", dict: "a table", str: "a string", list: "a list"}


class MethodLoadError(ValueError):
    """A method from outside that cannot be used: the message is one line."""


def looks_like_file(text: str) -> bool:
    """Whether a --method value (or a preset's name) is a path rather than a name."""
    return text.endswith(".py") or "/" in text or "\\" in text


def where(err: BaseException, path: Path | str) -> str:
    """``path:line`` of the deepest frame of ``err`` in file ``path`` (or just the path)."""
    if isinstance(err, SyntaxError) and err.filename == str(path):
        return f"{path}:{err.lineno}"
    lines = [f.lineno for f in traceback.extract_tb(err.__traceback__) if f.filename == str(path)]
    return f"{path}:{lines[-1]}" if lines else str(path)


def blame(err: BaseException, paths: Iterable[str]) -> str | None:
    """One line for an error raised in a method from outside while it trained (``file:line:
    Type: message``), or None for one that is not its fault."""
    if type(err).__name__ == "MethodShapeError":  # shapes.py (torch) names its own line
        return str(err)
    for path in paths:
        if (line := where(err, path)) != path:
            return f"{line}: {type(err).__name__}: {err}"
    return None


def from_file(path: Path, taken: tuple[str, ...]) -> tuple[MethodInfo, type[Method]]:
    """The record and the (shape-checked) class of the one Method subclass in ``path``."""
    from cftui.train.methods import shapes

    path = path.expanduser().resolve()
    name = path.stem
    if path.suffix != ".py" or not path.is_file():
        raise MethodLoadError(f"{path}: no such method file (a .py file with a Method subclass)")
    if not name.isidentifier() or name in taken:
        why = "is taken by a method that exists" if name in taken else "is not a Python name"
        raise MethodLoadError(f"{path}: the method's name {name!r} {why}; rename the file")
    code = path.read_bytes()  # what runs is what is hashed
    module = _run(path, name, code)
    table = _toml(path.with_suffix(".toml"))
    cls = _the_class(module, path, table.get("class"))
    record = _record(name, cls, table, path.with_suffix(".toml"), f"file {path}", str(path))
    record = dataclasses.replace(record, digest=hashlib.sha256(code).hexdigest())
    return record, shapes.checked(cls, name, path)


@dataclass(frozen=True)
class Installed:
    """A method an installed package offers: its record read without importing it."""

    info: MethodInfo
    load: Callable[[], type[Method]]  # imports the package's module (and torch)


@functools.cache
def installed(taken: tuple[str, ...]) -> dict[str, Installed]:
    """The methods installed packages offer, by name, but for ``taken`` ones (the built-in
    names); one that cannot be read is in ``skipped()`` with why, not here."""
    found = {}
    for point in importlib.metadata.entry_points(group=GROUP):
        package = point.dist.name if point.dist else "an unknown package"
        try:
            if point.name in taken or point.name in found:
                raise MethodLoadError(f"the name {point.name!r} is taken by another method")
            found[point.name] = _installed(point, f"installed from {package}")
        except Exception as err:  # a broken package must not break cftui
            _SKIPPED.append(f"{point.name} ({package}): {err}")
    return found


def skipped() -> list[str]:
    """Installed methods that could not be read (once installed() ran): one line each, with
    the name, the package and why."""
    return list(_SKIPPED)


_SKIPPED: list[str] = []


def _installed(point: importlib.metadata.EntryPoint, origin: str) -> Installed:
    spec = importlib.util.find_spec(point.module)
    beside = Path(spec.origin).with_suffix(".toml") if spec and spec.origin else None
    table = _toml(beside) if beside else {}

    def load() -> type[Method]:
        from cftui.train.methods import shapes

        return shapes.checked(point.load(), point.name, Path(spec.origin) if spec else point.module)

    cls = None if table else point.load()  # no TOML: the class says what it is
    record = _record(point.name, cls, {"class": point.attr, **table}, beside, origin, "")
    return Installed(record, load)


def _run(path: Path, name: str, code: bytes) -> Any:
    """The file's ``code`` run as a module of its own (anew each time: a reload sees the
    edits); tracebacks name ``path``."""
    spec = importlib.util.spec_from_file_location(f"cftui_method_file_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look a module up here
    try:
        exec(compile(code, str(path), "exec"), vars(module))  # the code hashed, not a re-read
    except BaseException as err:  # the user's code: anything it raises is the file's fault
        del sys.modules[spec.name]
        raise MethodLoadError(f"{where(err, path)}: {type(err).__name__}: {err}") from err
    return module


def _toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise MethodLoadError(f"{path}: {err}") from None
    if unknown := sorted(set(table) - KEYS):
        raise MethodLoadError(f"{path}: unknown key {unknown[0]!r}; known: {', '.join(KEYS)}")
    for key, value in table.items():
        kind = {"task_aware": bool, "settings": dict, "only_in": list}.get(key, str)
        if not isinstance(value, kind):
            raise MethodLoadError(f"{path}: {key} must be {KIND_NAMES[kind]}")
    return table


def _the_class(module: Any, path: Path, named: str | None) -> type[Method]:
    # A file that subclasses Method imported base.py; one that did not defines none (and this
    # module imports no torch: listing the installed methods must not load it).
    base = sys.modules.get("cftui.train.methods.base")
    found = {
        name: value
        for name, value in vars(module).items()
        if base
        and isinstance(value, type)
        and issubclass(value, base.Method)
        and value.__module__ == module.__name__
    }
    if named is not None and named not in found:
        raise MethodLoadError(f"{path}: no Method subclass {named!r} (its TOML's class)")
    if named is None and len(found) != 1:
        many = (
            f"{len(found)} ({', '.join(found)}); name one in its TOML's class" if found else "none"
        )
        raise MethodLoadError(f"{path}: needs one Method subclass, found {many}")
    return found[named or next(iter(found))]


def _record(
    name: str, cls: type | None, table: dict, toml: Path | None, origin: str, source: str
) -> MethodInfo:
    """The method's record from its TOML, or from the class where there is none."""
    if not table.get("summary") and cls is not None and not (toml and toml.is_file()):
        lines = (cls.__doc__ or "").strip().splitlines()
        settings = getattr(cls, "settings", {})
        if not isinstance(settings, dict):
            raise MethodLoadError(f"{source or origin}: settings must be a dict of defaults")
        table = {
            "summary": lines[0] if lines else f"{name} (no docstring)",
            "settings": {k: {"default": v, "about": ""} for k, v in settings.items()},
            **table,
        }
    table = {**TEXT_DEFAULTS, "class": cls.__name__ if cls else "", **table}
    label = str(toml) if toml and toml.is_file() else (source or origin)
    try:
        record = from_table(name, table, label, origin=origin, source=source)
    except (TypeError, KeyError, ValueError) as err:
        raise MethodLoadError(f"{label}: {err}") from None
    _check(record, label)
    return record


def _check(record: MethodInfo, label: str) -> None:
    """The record's values are ones the rest of cftui reads (their kinds are checked in _toml)."""
    problems = []
    if record.optimizer_lifetime not in ("run", "task"):
        problems.append('optimizer_lifetime must be "run" or "task"')
    for key, value in record.defaults.items():
        if not isinstance(value, bool) and not (isinstance(value, int | float) and value >= 0):
            problems.append(f"settings.{key}: the default must be a number >= 0 or a bool")
    if problems:
        raise MethodLoadError(f"{label}: {problems[0]}")
