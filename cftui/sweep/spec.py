"""The sweep spec: presets, seeds and a grid of method settings, in TOML, checked whole
before anything runs and expanded into jobs.

A job is one (preset, method, setting) with all of the spec's seeds, trained at once as
one batched model. Each seed is one row of the results, keyed by a hash of everything that
decides it: the fully resolved config (with that seed and that setting) and cftui's
version, so a changed preset or a new release never reuses an old row. Imports no torch.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cftui import __version__
from cftui.train import catalog, methods, rules, validation
from cftui.train.config import Config, read_toml
from cftui.train.validation import ConfigError, Invalid, Problems

KEYS = {"presets", "seeds", "epochs", "grid"}
MAX_SETTINGS = 10_000  # combinations of one method's grid: more is likely a typo


@dataclass(frozen=True)
class Run:
    """One seed of a job: one row of the results."""

    key: str
    seed: int


@dataclass(frozen=True)
class Job:
    """One setting of one method on one preset, and the seeds to train at once."""

    preset: str
    method: str
    settings: dict[str, Any]  # the grid's values for this method (the others: the preset's)
    config: dict[str, Any]  # Config.to_dict(): plain data, for a worker process
    runs: tuple[Run, ...]

    @property
    def seeds(self) -> list[int]:
        return [run.seed for run in self.runs]

    def pending(self, done: set[str]) -> bool:
        """Whether a seed's row is missing. Then every seed trains again (the rows there
        stay as they are): a seed's numbers depend, by float rounding, on which seeds train
        with it, so a resumed sweep's rows are bit for bit those of one never stopped."""
        return any(run.key not in done for run in self.runs)


@dataclass(frozen=True)
class Spec:
    source: Path
    presets: tuple[Config, ...]
    seeds: tuple[int, ...]
    epochs: int | None  # None: each preset's own
    grid: dict[str, list[dict[str, Any]]]  # method -> every combination of its settings


def load(path: Path) -> Spec:
    """Read and check a spec; one ConfigError names the file and the key of each problem."""
    raw = read_toml(path)
    problems = Problems(str(path))
    validation.reject_unknown(raw, KEYS, problems, "")
    presets = _presets(raw.get("presets"), path.parent, problems)
    seeds = _seeds(raw.get("seeds", 1), problems)
    epochs = _checked(problems, int, raw["epochs"], "epochs") if "epochs" in raw else None
    if epochs is not None and not 1 <= epochs <= rules.MAX_EPOCHS:
        problems.add("epochs", f"must be 1..{rules.MAX_EPOCHS}, got {epochs}")
    grid = _grid(raw.get("grid"), problems)
    for method, preset in itertools.product(grid, presets):  # as --method: before any run
        if why := validation.unfit_method(preset, method):
            problems.add(f"[grid.{method}]", f"preset {preset.name!r}: {why}")
    problems.raise_any()
    return Spec(path, presets, seeds, epochs, grid)


def jobs(spec: Spec) -> list[Job]:
    """Every (preset, method, setting) of the spec, each with all of its seeds."""
    found, seen = [], set()
    for preset in spec.presets:
        for method, combinations in spec.grid.items():
            for settings in combinations:
                config = preset.with_overrides(
                    method=method, epochs=spec.epochs, settings={method: settings}
                )
                runs = [Run(run_key(config, seed), seed) for seed in spec.seeds]
                runs = tuple(run for run in runs if run.key not in seen)  # a preset twice
                seen.update(run.key for run in runs)
                if runs:
                    found.append(Job(config.name, method, settings, config.to_dict(), runs))
    return found


def run_key(config: Config, seed: int) -> str:
    """The row's key: a hash of the resolved config with this seed, and the version."""
    decided = {"config": config.with_overrides(seed=seed).to_dict(), "version": __version__}
    return hashlib.sha256(json.dumps(decided, sort_keys=True).encode()).hexdigest()


def _checked(problems: Problems, kind: Any, value: Any, key: str) -> Any:
    try:
        return validation.coerce(kind, value, key)
    except Invalid as bad:
        problems.add(*bad.args)
        return None


def _presets(value: Any, folder: Path, problems: Problems) -> tuple[Config, ...]:
    names = _checked(problems, tuple[str, ...], value, "presets") if value is not None else ()
    if not names and not problems.about("presets"):
        problems.add("presets", 'must name at least one preset, e.g. presets = ["rbf"]')
    configs = []
    for i, name in enumerate(names or ()):
        try:
            configs.append(catalog.resolve(_beside(name, folder)))
        except ConfigError as err:
            problems.add(f"presets[{i}]", f"{name!r}: {'; '.join(err.details())}")
    return tuple(configs)


def _beside(name: str, folder: Path) -> str:
    """A relative preset path is read from the spec's folder; a name is looked up."""
    is_path = name.endswith(".toml") or os.sep in name
    return str(folder / name) if is_path and not Path(name).expanduser().is_absolute() else name


def _seeds(value: Any, problems: Problems) -> tuple[int, ...]:
    most = validation.MAX_SEEDS  # trained at once, as --seeds
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= most:
            problems.add("seeds", f"must be 1..{most} (seeds 0..N-1) or a list, got {value}")
            return ()
        return tuple(range(value))
    if isinstance(value, list) and len(value) > most:
        problems.add("seeds", f"must list at most {most} seeds, got {len(value)}")
        return ()
    if not isinstance(value, list):
        problems.add("seeds", "must be a count (seeds 0..N-1) or a list of seeds")
        return ()
    seeds = _checked(problems, tuple[int, ...], value, "seeds") or ()
    if not seeds and not problems.about("seeds"):
        problems.add("seeds", "must not be empty")
    elif min(seeds, default=0) < 0 or len(set(seeds)) < len(seeds):
        problems.add("seeds", f"must be distinct seeds >= 0, got {list(seeds)}")
    return seeds


def _grid(value: Any, problems: Problems) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(value, Mapping) or not value:
        problems.add("grid", "must name at least one method, e.g. [grid.naive]")
        return {}
    grid = {}
    for method, table in value.items():
        key = f"[grid.{method}]"
        if method not in methods.names():
            validation.check_choice(method, methods.names(), problems, key)
        elif not isinstance(table, Mapping):
            problems.add(key, "must be a table of settings, each a list of values")
        else:
            grid[method] = _combinations(method, table, problems, f"{key} ")
    return grid


def _combinations(
    method: str, table: Mapping[str, Any], problems: Problems, prefix: str
) -> list[dict[str, Any]]:
    """The product of the lists of one method's settings, each value checked as a preset's."""
    validation.reject_unknown(table, set(methods.info(method).defaults), problems, prefix, method)
    axes = {}
    for setting in [k for k in table if k in methods.info(method).defaults]:
        values = table[setting]
        if not isinstance(values, list) or not values:
            problems.add(f"{prefix}{setting}", "must be a non-empty list of values, e.g. [1, 10]")
            continue
        checked = [validation.method_params(method, {setting: v}, problems, prefix) for v in values]
        axes[setting] = [given[setting] for given in checked if given]
    count = math.prod(map(len, axes.values()))
    if count > MAX_SETTINGS:
        problems.add(
            prefix.strip(), f"has {count} combinations of settings; at most {MAX_SETTINGS}"
        )
        return []
    return [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]
