"""Run configuration: TOML presets loaded into frozen dataclasses and validated.

A preset is data. It is read with :mod:`tomllib`, every key is checked for its name, type
and range, and any problem becomes one :class:`ConfigError` line naming the file and the
key, which the CLI turns into exit code 2. Nothing in a preset is executed. Validation
imports no torch (the methods' settings come from their torch-free registry records), so
listing presets and `cftui --help` start fast.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cftui import expr, methods, tasks

ACTIVATIONS = ("sigmoid", "tanh", "relu", "gelu")
OPTIMIZERS = ("adam", "sgd")
MAX_POINTS_PER_TASK = 100_000
MAX_TASKS = 20
MAX_WIDTH = 4096


class ConfigError(Exception):
    """Bad input: one line that names the file (or flag) and the key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        super().__init__(f"{source}: {key}: {message}" if key else f"{source}: {message}")


@dataclass(frozen=True)
class DataConfig:
    family: str = "polynomial"  # polynomial | rbf | sigmoid | fourier | expr
    n_tasks: int = 2  # tasks trained one after another
    x_range: tuple[float, float] = (-3.0, 3.0)  # split into n_tasks equal, disjoint intervals
    points_per_task: int = 100  # points drawn per task, train and test together
    test_fraction: float = 0.2  # share of each task's points held out to measure test MSE
    noise: float = 0.1  # standard deviation of the Gaussian noise on the targets
    seed: int = 0  # drives the data, the initial weights and the batch order
    n_basis: int = 8  # rbf | sigmoid | fourier: basis functions in the random weighted sum
    coefficients: tuple[tuple[float, ...], ...] = ()  # polynomial: per task, c0 + c1 x + ...;
    # empty = a seeded random cubic per task
    functions: tuple[str, ...] = ()  # expr: one expression of x per task, e.g. "sin(3*x)"
    ranges: tuple[tuple[float, float], ...] = ()  # expr (or polynomial): [lo, hi] per task;
    # empty = x_range split into n_tasks


@dataclass(frozen=True)
class ModelConfig:
    layers: tuple[int, ...] = (1, 150, 150, 1)  # widths: input, hidden..., output
    activation: str = "sigmoid"  # sigmoid | tanh | relu | gelu (hidden layers only)


@dataclass(frozen=True)
class TrainConfig:
    optimizer: str = "adam"  # adam | sgd
    lr: float = 0.01  # learning rate
    epochs: int = 200  # epochs per task
    batch_size: int = 0  # 0 = full batch (one step per epoch)
    eval_every: int = 0  # steps between test evaluations; 0 = 10 per task at full pace,
    # 20 when paced (the live view)


@dataclass(frozen=True)
class MethodConfig:
    name: str = "naive"  # the continual-learning method; see `cftui methods`
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # per method:
    # its hyperparameters, defaults merged with the preset's [method] and [method.<name>]

    @property
    def params(self) -> Mapping[str, Any]:
        """Hyperparameters of the selected method."""
        return self.settings.get(self.name, methods.info(self.name).defaults)


@dataclass(frozen=True)
class Config:
    name: str = "custom"  # shown in the status line and in results
    description: str = ""  # one line for `cftui presets` and the preset picker
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    method: MethodConfig = MethodConfig()

    def with_overrides(self, **flags: Any) -> Config:
        """Apply command-line flags (already validated by argparse); None means unset."""
        given = {k: v for k, v in flags.items() if v is not None}
        data = dataclasses.replace(self.data, **_pick(given, "seed"))
        train = dataclasses.replace(self.train, **_pick(given, "epochs", "lr"))
        method = dataclasses.replace(self.method, **_pick({"name": given.get("method")}, "name"))
        return dataclasses.replace(self, data=data, train=train, method=method)

    def to_dict(self) -> dict[str, Any]:
        """The same shape as the TOML, with the selected method's settings beside its name."""
        out = dataclasses.asdict(dataclasses.replace(self, method=MethodConfig()))
        out["method"] = {"name": self.method.name, **self.method.params}
        return _plain(out)


SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}


def _pick(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: values[k] for k in keys if values.get(k) is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def load(path: Path) -> Config:
    """Read and validate a preset file."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(source, "", f"cannot read: {err}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(source, "", f"TOML syntax error: {err}") from None
    return from_dict(raw, source)


def from_dict(raw: Mapping[str, Any], source: str) -> Config:
    """Validate a parsed preset; ``source`` names it in error messages."""
    top = {f.name for f in dataclasses.fields(Config)}
    _reject_unknown(raw, top, source, "")
    sections = {}
    for name in ("data", "model", "train"):
        table = raw.get(name, {})
        if not isinstance(table, Mapping):
            raise ConfigError(source, name, "must be a table")
        sections[name] = _build(SECTIONS[name], table, source, f"[{name}] ")
    scalars = _build(Config, {k: raw[k] for k in ("name", "description") if k in raw}, source, "")
    config = dataclasses.replace(
        scalars, **sections, method=_build_method(raw.get("method", {}), source)
    )
    _check(config, source)
    return config


def _reject_unknown(table: Mapping[str, Any], known: set[str], source: str, prefix: str) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = (
                f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(sorted(known))}"
            )
            raise ConfigError(source, f"{prefix}{key}", f"unknown key{hint}")


def _build(cls: type, table: Mapping[str, Any], source: str, prefix: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    plain = {n for n, f in fields.items() if not dataclasses.is_dataclass(f.default)}
    _reject_unknown(table, plain, source, prefix)
    hints = typing.get_type_hints(cls)
    values = {k: _coerce(hints[k], v, source, f"{prefix}{k}") for k, v in table.items()}
    return cls(**values)


def _coerce(kind: Any, value: Any, source: str, key: str) -> Any:
    """Check ``value`` against a field's annotation; TOML arrays become tuples."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(source, key, f"must be an array, got {_describe(value)}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], v, source, f"{key}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise ConfigError(source, key, f"must have {len(args)} items, got {len(value)}")
        pairs = enumerate(zip(args, value, strict=True))
        return tuple(_coerce(a, v, source, f"{key}[{i}]") for i, (a, v) in pairs)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind in (int, str, bool) and type(value) is kind:
        return value
    name = {float: "a number", int: "an integer", str: "a string", bool: "true or false"}
    raise ConfigError(source, key, f"must be {name.get(kind, kind)}, got {_describe(value)}")


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", str: "a string", list: "an array", dict: "a table"}
    return kind.get(type(value), type(value).__name__) + (
        f" ({value!r})" if isinstance(value, int | float | str | bool) else ""
    )


def _build_method(table: Any, source: str) -> MethodConfig:
    """[method] name plus its keys beside it, and [method.<other>] tables for the rest."""
    if not isinstance(table, Mapping):
        raise ConfigError(source, "method", "must be a table")
    name = table.get("name", MethodConfig.name)
    if not isinstance(name, str):
        raise ConfigError(source, "[method] name", f"must be a string, got {_describe(name)}")
    _check_choice(name, methods.names(), source, "[method] name")
    beside = {k: v for k, v in table.items() if k != "name" and not isinstance(v, Mapping)}
    tables = {k: v for k, v in table.items() if isinstance(v, Mapping)}
    _reject_unknown(tables, set(methods.names()), source, "[method] ")
    settings = {}
    for method in methods.names():
        given = {**tables.get(method, {}), **(beside if method == name else {})}
        prefix = "[method] " if method == name and beside else f"[method.{method}] "
        settings[method] = _method_params(method, given, source, prefix)
    return MethodConfig(name=name, settings=types.MappingProxyType(settings))


def _method_params(method: str, given: Mapping[str, Any], source: str, prefix: str) -> Mapping:
    defaults = methods.info(method).defaults
    _reject_unknown(given, set(defaults), source, prefix)
    params = dict(defaults)
    for key, value in given.items():
        params[key] = _coerce(type(defaults[key]), value, source, f"{prefix}{key}")
        if params[key] < 0:
            raise ConfigError(source, f"{prefix}{key}", f"must be >= 0, got {value}")
    return types.MappingProxyType(params)


def _check_choice(value: str, choices: tuple[str, ...], source: str, key: str) -> None:
    if value not in choices:
        close = difflib.get_close_matches(value, choices, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(source, key, f"unknown {value!r}{hint}; choose from {', '.join(choices)}")


def _check(c: Config, source: str) -> None:
    """Range and consistency rules that types alone do not express."""
    d, m, t = c.data, c.model, c.train

    def rule(ok: bool, key: str, message: str) -> None:
        if not ok:
            raise ConfigError(source, key, message)

    _check_choice(d.family, tuple(tasks.FAMILIES), source, "[data] family")
    _check_choice(m.activation, ACTIVATIONS, source, "[model] activation")
    _check_choice(t.optimizer, OPTIMIZERS, source, "[train] optimizer")
    rule(1 <= d.n_tasks <= MAX_TASKS, "[data] n_tasks", f"must be 1..{MAX_TASKS}, got {d.n_tasks}")
    lo, hi = d.x_range
    rule(lo < hi, "[data] x_range", f"must be [low, high] with low < high, got [{lo}, {hi}]")
    rule(
        2 <= d.points_per_task <= MAX_POINTS_PER_TASK,
        "[data] points_per_task",
        f"must be 2..{MAX_POINTS_PER_TASK}, got {d.points_per_task}",
    )
    rule(
        0 < d.test_fraction < 1, "[data] test_fraction", f"must be in (0, 1), got {d.test_fraction}"
    )
    n_test = round(d.points_per_task * d.test_fraction)
    rule(
        1 <= n_test < d.points_per_task,
        "[data] test_fraction",
        f"leaves {n_test} test points of {d.points_per_task}; need at least one of each",
    )
    rule(d.noise >= 0, "[data] noise", f"must be >= 0, got {d.noise}")
    rule(d.seed >= 0, "[data] seed", f"must be >= 0, got {d.seed}")
    rule(1 <= d.n_basis <= 256, "[data] n_basis", f"must be 1..256, got {d.n_basis}")
    for key, items in (("functions", d.functions), ("ranges", d.ranges)):
        rule(
            not items or len(items) == d.n_tasks,
            f"[data] {key}",
            f"has {len(items)} entries but n_tasks = {d.n_tasks}",
        )
    for i, (lo, hi) in enumerate(d.ranges):
        rule(
            lo < hi, f"[data] ranges[{i}]", f"must be [low, high] with low < high, got [{lo}, {hi}]"
        )
    if d.family == "expr":
        rule(bool(d.functions), "[data] functions", "family 'expr' needs one expression per task")
        for i, (text, (lo, hi)) in enumerate(zip(d.functions, tasks.task_ranges(d), strict=True)):
            try:
                expr.evaluate(text, np.linspace(lo, hi, 257))
            except expr.ExpressionError as err:
                raise ConfigError(source, f"[data] functions[{i}]", str(err)) from None
    if d.coefficients:
        rule(d.family == "polynomial", "[data] coefficients", "only applies to family 'polynomial'")
        rule(
            len(d.coefficients) == d.n_tasks,
            "[data] coefficients",
            f"has {len(d.coefficients)} entries but n_tasks = {d.n_tasks}",
        )
        for i, coefficients in enumerate(d.coefficients):
            rule(bool(coefficients), f"[data] coefficients[{i}]", "must not be empty")
    rule(
        len(m.layers) >= 2 and m.layers[0] == 1 and m.layers[-1] == 1,
        "[model] layers",
        f"must start and end with 1 (one input x, one output y), got {list(m.layers)}",
    )
    for i, width in enumerate(m.layers):
        rule(
            1 <= width <= MAX_WIDTH, f"[model] layers[{i}]", f"must be 1..{MAX_WIDTH}, got {width}"
        )
    rule(t.lr > 0, "[train] lr", f"must be > 0, got {t.lr}")
    rule(t.epochs >= 1, "[train] epochs", f"must be >= 1, got {t.epochs}")
    rule(
        t.batch_size >= 0,
        "[train] batch_size",
        f"must be >= 0 (0 = full batch), got {t.batch_size}",
    )
    rule(t.eval_every >= 0, "[train] eval_every", f"must be >= 0 (0 = auto), got {t.eval_every}")
