"""Run configuration: TOML presets loaded into frozen dataclasses and validated.

A preset is data. It is read with :mod:`tomllib`, every key is checked for its name, type
and range (:mod:`cftui.train.validation`), and every problem in the file becomes one line of a
single :class:`ConfigError`, naming the file and the key, which the CLI turns into exit
code 2. Nothing in a preset is executed. Validation imports no torch (the methods' settings
come from their torch-free registry records), so listing presets and `cftui --help` start
fast.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cftui.train import methods, rules, validation
from cftui.train.validation import ConfigError


@dataclass(frozen=True)
class DataConfig:
    family: str = "polynomial"  # 1-D regression: polynomial | rbf | sigmoid | fourier | expr;
    # 2-D classification: blobs | moons | circles | spirals | xor; images: digits (8x8
    # handwritten, extra cftui[digits]; every image of its task's digits: points_per_task and
    # noise do not apply)
    scenario: str = ""  # classes only: class | domain | task (see cftui/train/planar.py and
    # digits.py); a 1-D regression has none (every task shares its one output, no task id)
    n_tasks: int = 2  # tasks trained one after another
    x_range: tuple[float, float] = (-3.0, 3.0)  # split into n_tasks equal, disjoint intervals
    points_per_task: int = 100  # points drawn per task, train and test together
    test_fraction: float = 0.2  # share of each task's points held out to measure test MSE
    test_points: str = "held_out"  # held_out: test MSE on those noisy held-out points;
    # grid: on as many noise-free points evenly spaced over each task's range (hypercl's
    # test set); either way the same points train
    noise: float = 0.1  # standard deviation of the Gaussian noise on the targets (1-D) or
    # on the points (2-D)
    seed: int = 0  # drives the data, the initial weights and the batch order
    n_basis: int = 8  # rbf | sigmoid | fourier: basis functions in the random weighted sum
    coefficients: tuple[tuple[float, ...], ...] = ()  # polynomial: per task, c0 + c1 x + ...;
    # empty = a seeded random cubic per task
    functions: tuple[str, ...] = ()  # expr: one expression of x per task, e.g. "sin(3*x)"
    ranges: tuple[tuple[float, float], ...] = ()  # expr (or polynomial): [lo, hi] per task;
    # empty = x_range split into n_tasks
    n_classes: int = 2  # 2-D: classes in all (moons and xor have 2); class and task
    # scenarios cut them into n_tasks consecutive groups
    rotation: float = 0.0  # 2-D domain scenario: degrees each task is turned from the one
    # before, about the origin
    shift: tuple[float, float] = (0.0, 0.0)  # 2-D domain scenario: how far each task's
    # points move from the one before's


@dataclass(frozen=True)
class ModelConfig:
    layers: tuple[int, ...] = (1, 150, 150, 1)  # widths: input, hidden..., output
    activation: str = "sigmoid"  # sigmoid | tanh | relu | gelu (hidden layers only)


@dataclass(frozen=True)
class TrainConfig:
    optimizer: str = "adam"  # adam | sgd
    lr: float = 0.01  # learning rate
    epochs: int = 200  # epochs per task
    batch_size: int = 0  # 0 = full batch (one step per epoch); else every step takes this
    # many points from a shuffled stream that reshuffles when it runs out (an epoch is
    # ceil(N / batch_size) steps), so no step is taken on a short, noisy tail
    optimizer_lifetime: str = "method"  # run: one optimizer for the whole run (the
    # article); task: a fresh one at each task (its moments forget the old task's);
    # method: what the method's paper does (`cftui methods` says which)
    eval_every: int = 0  # steps between test evaluations; 0 = 10 per task at full pace,
    # 20 when paced (the live view)


@dataclass(frozen=True)
class MethodConfig:
    name: str = "naive"  # the continual-learning method; see `cftui methods`
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # per method:
    # its hyperparameters, defaults merged with the preset's [method] and [method.<name>]
    # and the command line's --set

    @property
    def params(self) -> Mapping[str, Any]:
        """Hyperparameters of the selected method."""
        return self.of(self.name)

    def of(self, method: str) -> Mapping[str, Any]:
        """Hyperparameters of any method, as it would run if selected."""
        return self.settings.get(method, methods.info(method).defaults)

    def updated(self, changes: Mapping[str, Mapping[str, Any]]) -> MethodConfig:
        """These settings with ``changes`` (some keys of some methods, already valid) laid
        over them; the other keys keep the preset's values."""
        settings = {m: _frozen({**self.of(m), **changes.get(m, {})}) for m in methods.names()}
        return dataclasses.replace(self, settings=_frozen(settings))


@dataclass(frozen=True)
class Config:
    name: str = "custom"  # shown in the status line and in results
    description: str = ""  # one line for `cftui presets` and the preset picker
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    method: MethodConfig = MethodConfig()

    @property
    def optimizer_lifetime(self) -> str:
        """ "run" or "task": the [train] setting, or the method's own when it says "method"."""
        lifetime = self.train.optimizer_lifetime
        return (
            methods.info(self.method.name).optimizer_lifetime if lifetime == "method" else lifetime
        )

    def with_overrides(self, **flags: Any) -> Config:
        """Apply command-line flags, already validated (argparse; ``settings``, the --set
        flags as {method: {key: value}}, by validation.method_overrides); None means unset."""
        given = {k: v for k, v in flags.items() if v is not None}
        data = dataclasses.replace(self.data, **_pick(given, "seed"))
        train = dataclasses.replace(self.train, **_pick(given, "epochs", "lr"))
        method = dataclasses.replace(self.method, **_pick({"name": given.get("method")}, "name"))
        if "settings" in given:
            method = method.updated(given["settings"])
        return dataclasses.replace(self, data=data, train=train, method=method)

    def to_dict(self) -> dict[str, Any]:
        """The same shape as the TOML: the selected method's settings beside its name, and
        another method's in its own table where they differ from its defaults."""
        out = dataclasses.asdict(dataclasses.replace(self, method=MethodConfig()))
        out["method"] = {"name": self.method.name, **self.method.params}
        for name, params in self.method.settings.items():
            if name != self.method.name and params != methods.info(name).defaults:
                out["method"][name] = dict(params)
        return _plain(out)


SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}


def _pick(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: values[k] for k in keys if values.get(k) is not None}


def _frozen(mapping: Mapping) -> Mapping:
    return types.MappingProxyType(dict(mapping))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def load(path: Path) -> Config:
    """Read and validate a preset file."""
    return from_dict(read_toml(path), str(path))


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables (a preset, a sweep spec); one ConfigError line when it cannot be
    read or parsed."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(source, "", f"cannot read: {err}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(source, "", f"TOML syntax error: {err}") from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise ConfigError(source, "", "arrays or tables nested too deeply") from None


def from_dict(raw: Mapping[str, Any], source: str, to_train: bool = True) -> Config:
    """Validate a parsed preset; ``source`` names it in error messages. Every problem is
    found before one ConfigError reports them all. ``to_train``: False for a config read
    back to draw (a recording's), which needs no extra that training needs (scikit-learn)."""
    problems = validation.Problems(source)
    validation.reject_unknown(raw, {f.name for f in dataclasses.fields(Config)}, problems, "")
    sections = {}
    for name, cls in SECTIONS.items():
        table = raw.get(name, {})
        if not isinstance(table, Mapping):
            problems.add(name, "must be a table")
            table = {}
        sections[name] = validation.build(cls, table, problems, f"[{name}] ")
    scalars = {k: raw[k] for k in ("name", "description") if k in raw}
    config = validation.build(Config, scalars, problems, "")
    name, settings = validation.method_table(raw.get("method", {}), MethodConfig.name, problems)
    method = MethodConfig(name, _frozen({m: _frozen(p) for m, p in settings.items()}))
    config = dataclasses.replace(config, **sections, method=method)
    rules.check(config, problems, to_train)
    problems.raise_any()
    return config
