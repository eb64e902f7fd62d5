"""Checking a preset's values, and reporting every problem in it at once.

A newcomer fixing a preset should see all of its problems in one go, not one per attempt:
no check here stops at the first problem. Each goes to a :class:`Problems` collector, which
then raises one :class:`ConfigError` holding them all, one line each. A key is reported once:
a bad value is replaced by the field's default so that checking can go on, and a later rule
on that key (or on one that depends on it) would only judge the stand-in. Here: the types,
the method settings (each within its TOML's least..most) and --set; the bounds and the rules
between keys are in :mod:`cftui.train.rules`. Imports no torch.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cftui.train import expr, methods, tasks
from cftui.train.methods.outside import looks_like_file

ACTIVATIONS = ("sigmoid", "tanh", "relu", "gelu")
OPTIMIZERS = ("adam", "sgd")
OPTIMIZER_LIFETIMES = ("method", "run", "task")
TEST_POINTS = ("held_out", "grid")
MAX_POINTS_PER_TASK = 100_000
MAX_TASKS = 20
MAX_WIDTH = 4096
MAX_CLASSES = 12  # 2-D: a colour and a glyph each in the regions panel
MAX_SEEDS = 4096  # seeds trained at once (--seeds, a sweep's seeds): 4096 article MLPs hold
# about 1.5 GB of weights, gradients and Adam state, and as much again in activations; more
# is likely a typo


class ConfigError(Exception):
    """Bad input: one line per problem, each naming the file (or flag) and the key.

    ``str()`` is those lines joined; ``details()`` gives them without the source, for a
    listing that names the file once."""

    def __init__(self, source: str, key: str, message: str, *more: tuple[str, str]) -> None:
        self.source = source
        self.problems = ((key, message), *more)  # (key, message); key "" for the whole file
        super().__init__("\n".join(f"{source}: {line}" for line in self.details()))

    def details(self) -> list[str]:
        return [f"{key}: {message}" if key else message for key, message in self.problems]


class Invalid(Exception):
    """One value's problem, raised where it is found; the caller records it and goes on."""


class Problems:
    """The problems found in one source so far, the first per key."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: dict[str, str] = {}

    def add(self, key: str, message: str) -> None:
        self.found.setdefault(key, message)

    def about(self, *keys: str) -> bool:
        """Whether one of ``keys``, or an item of one (``key[i]``), was found bad."""
        return any(bad == key or bad.startswith(f"{key}[") for bad in self.found for key in keys)

    def rule(self, ok: bool, key: str, message: str, *needs: str) -> None:
        """Record ``message`` unless ``ok``, or unless ``key`` or a key it ``needs`` is bad
        already (its value is then a stand-in, and the rule would judge that)."""
        if not ok and not self.about(key, *needs):
            self.add(key, message)

    def raise_any(self) -> None:
        if self.found:
            first, *rest = self.found.items()
            raise ConfigError(self.source, *first, *rest)


def reject_unknown(
    table: Mapping[str, Any], known: set[str], problems: Problems, prefix: str, owner: str = ""
) -> None:
    """Record each key of ``table`` not in ``known``, with the closest known one if any;
    ``owner`` names what takes no keys at all (a method with no settings)."""
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known))}"
            problems.add(
                f"{prefix}{key}", f"unknown key; {hint if known else f'{owner} takes none'}"
            )


def build(cls: type, table: Mapping[str, Any], problems: Problems, prefix: str) -> Any:
    """``cls`` from a TOML table; a bad or unknown key is recorded and left at its default."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    plain = {n for n, f in fields.items() if not dataclasses.is_dataclass(f.default)}
    reject_unknown(table, plain, problems, prefix)
    hints = typing.get_type_hints(cls)
    values = {}
    for key in [k for k in table if k in plain]:  # in the file's order
        try:
            values[key] = coerce(hints[key], table[key], f"{prefix}{key}")
        except Invalid as bad:
            problems.add(*bad.args)
    return cls(**values)


def coerce(kind: Any, value: Any, key: str) -> Any:
    """Check ``value`` against a field's annotation; TOML arrays become tuples."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple:
        if not isinstance(value, list):
            raise Invalid(key, f"must be an array, got {describe(value)}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(coerce(args[0], v, f"{key}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise Invalid(key, f"must have {len(args)} items, got {len(value)}")
        return tuple(
            coerce(a, v, f"{key}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise Invalid(key, f"must be a finite number, got {value}")
        return float(value)
    if kind in (int, str, bool) and type(value) is kind:
        return value
    name = {float: "a number", int: "an integer", str: "a string", bool: "true or false"}
    raise Invalid(key, f"must be {name.get(kind, kind)}, got {describe(value)}")


def describe(value: Any) -> str:
    kind = {bool: "a boolean", str: "a string", list: "an array", dict: "a table"}
    return kind.get(type(value), type(value).__name__) + (
        f" ({value!r})" if isinstance(value, int | float | str | bool) else ""
    )


def method_table(table: Any, default: str, problems: Problems) -> tuple[str, dict[str, dict]]:
    """The [method] table: ``name`` (``default`` when bad) with its settings beside it, and
    [method.<other>] tables; returns the name and every method's settings."""
    if not isinstance(table, Mapping):
        problems.add("method", "must be a table")
        table = {}
    name = table.get("name", default)
    if not isinstance(name, str):
        problems.add("[method] name", f"must be a string, got {describe(name)}")
    elif looks_like_file(name):  # a file is code: only the user's --method runs one
        problems.add(
            "[method] name",
            f"a preset is data and names no method file ({name}); run the file with --method PATH",
        )
    else:
        check_choice(name, methods.names(), problems, "[method] name")
    beside = {k: v for k, v in table.items() if k != "name" and not isinstance(v, Mapping)}
    tables = {k: v for k, v in table.items() if isinstance(v, Mapping)}
    reject_unknown(tables, set(methods.names()), problems, "[method] ")
    settings = {}
    for method in methods.names():
        given = method_params(method, tables.get(method, {}), problems, f"[method.{method}] ")
        if method == name:  # keys beside an unknown name are not checked: it is reported
            given |= method_params(method, beside, problems, "[method] ")
        settings[method] = {**methods.info(method).defaults, **given}
    return (name if not problems.about("[method] name") else default), settings


def method_params(method: str, given: Mapping[str, Any], problems: Problems, prefix: str) -> dict:
    """The valid ones of ``given`` settings of ``method``; each problem is recorded."""
    record = methods.info(method)
    reject_unknown(given, set(record.defaults), problems, prefix, method)
    params = {}
    for key in [k for k in given if k in record.defaults]:  # in the file's order
        try:
            value = coerce(type(record.defaults[key]), given[key], f"{prefix}{key}")
        except Invalid as bad:
            problems.add(*bad.args)
            continue
        least, most = record.least.get(key), record.most.get(key)
        if least is not None and not least <= value <= most:
            problems.add(f"{prefix}{key}", f"must be {least:g}..{most:g}, got {given[key]}")
        else:
            params[key] = value
    return params


def method_overrides(assignments: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``--set METHOD.KEY=VALUE`` flags as {method: {key: value}}, each checked exactly as that
    key in a preset's [method.<name>] table. VALUE is read as a TOML value (1000, 1e3, true)."""
    problems = Problems("--set")
    settings: dict[str, dict[str, Any]] = {}
    for text in assignments:
        target, equals, value = text.partition("=")
        method, dot, key = target.partition(".")
        if not (equals and dot and key):
            problems.add(text, "expected METHOD.KEY=VALUE, e.g. ewc.lambda=1000")
        elif method not in methods.names():
            check_choice(method, methods.names(), problems, target)
        else:
            given = {key: _toml_value(value)}
            settings.setdefault(method, {}).update(
                method_params(method, given, problems, f"{method}.")
            )
    problems.raise_any()
    return settings


def _toml_value(text: str) -> Any:
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:  # a bare word: kept as a string, which no setting takes
        return text


def check_choice(value: str, choices: tuple[str, ...], problems: Problems, key: str) -> None:
    if value not in choices:
        close = difflib.get_close_matches(value, choices, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.add(key, f"unknown {value!r}{hint}; choose from {', '.join(choices)}")


def check_expressions(d: Any, problems: Problems) -> None:
    """Evaluate each task's expression over its range, once every key that decides the
    ranges is good (otherwise the functions and ranges need not even pair up)."""
    keys = ("[data] functions", "[data] ranges", "[data] n_tasks", "[data] x_range")
    if problems.about(*keys):
        return
    for i, (text, (lo, hi)) in enumerate(zip(d.functions, tasks.task_ranges(d), strict=True)):
        try:
            expr.evaluate(text, np.linspace(lo, hi, 257))
        except expr.ExpressionError as err:
            problems.add(f"[data] functions[{i}]", str(err))


def unfit_method(c: Any, method: str) -> str | None:
    """Why ``method`` cannot run on config ``c``, or None: a method told the task id (a head,
    mask or weights per task) needs a scenario that gives it at test; a method that names the
    scenarios it runs in (a classifier: iCaRL) runs in no other."""
    scenario = c.data.scenario
    if (only := methods.info(method).only_in) and scenario not in only:
        kinds = " or ".join(f"scenario = {s!r}" for s in only)
        return f"{method} runs only on a split with {kinds} (as preset blobs-{only[0]})"
    if scenario in ("class", "domain") and methods.info(method).task_aware:
        return (
            f"{method} needs the task id at test, which scenario {scenario!r} does not give "
            "(a split that gives it: scenario = 'task', as preset blobs-task)"
        )
    return None


def fitting_methods(c: Any) -> tuple[str, ...]:
    """The methods that can run on config ``c``, in the registry's order."""
    return tuple(name for name in methods.names() if unfit_method(c, name) is None)
