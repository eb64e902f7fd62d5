"""Methods side by side: each on the same data and the same initial weights, per seed.

The seed fixes both the data and the initial weights, so for one seed every method starts
from the same place; several seeds give a mean and a spread.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cftui import metrics
from cftui.config import Config
from cftui.engine import Engine
from cftui.snapshot import State


@dataclass(frozen=True)
class Outcome:
    method: str
    seed: int
    loss_matrix: list[list[float]]
    seconds: float
    state: str

    @property
    def final(self) -> list[float]:
        """Test MSE on every task after the last one."""
        return self.loss_matrix[-1]

    @property
    def complete(self) -> bool:
        return self.state == State.FINISHED


def run_all(
    config: Config,
    method_names: Sequence[str],
    seeds: Sequence[int],
    device: torch.device,
    progress: Callable[[str, int], None] = lambda m, s: None,
) -> list[Outcome]:
    outcomes = []
    for seed in seeds:
        for name in method_names:
            progress(name, seed)
            engine = Engine(config.with_overrides(method=name, seed=seed), device)
            snap = engine.run()
            matrix = [list(row) for row in snap.loss_matrix]
            outcomes.append(Outcome(name, seed, matrix, engine.train_seconds, str(snap.state)))
    return outcomes


@dataclass(frozen=True)
class Spread:
    mean: float
    std: float

    def __str__(self) -> str:
        return f"{self.mean:.2g}±{self.std:.1g}"


def spread(values: Sequence[float]) -> Spread:
    values = [v for v in values if np.isfinite(v)]
    if not values:
        return Spread(float("nan"), float("nan"))
    return Spread(statistics.fmean(values), statistics.pstdev(values))


def summarize(outcomes: Sequence[Outcome]) -> dict[str, dict]:
    """Per method, over seeds: final MSE per task, mean forgetting, BWT, current task, seconds."""
    table: dict[str, dict] = {}
    for name in dict.fromkeys(o.method for o in outcomes):
        runs = [o for o in outcomes if o.method == name and o.complete]
        n_tasks = len(runs[0].loss_matrix) if runs else 0
        table[name] = {
            "final": [spread([r.final[j] for r in runs]) for j in range(n_tasks)],
            "forgetting": spread(
                [np.mean(metrics.forgetting(r.loss_matrix) or [0.0]) for r in runs]
            ),
            "bwt": spread([metrics.backward_transfer(r.loss_matrix) or 0.0 for r in runs]),
            "current": spread([r.final[-1] for r in runs]),
            "seconds": spread([o.seconds for o in outcomes if o.method == name]),
            "failed": sum(1 for o in outcomes if o.method == name and not o.complete),
        }
    return table
