"""Methods side by side: each on the same data and the same initial weights, per seed.

The seed fixes both the data and the initial weights, so for one seed every method starts
from the same place; several seeds give a mean and a spread.
"""

from __future__ import annotations

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
class Stats:
    """A value over seeds, reported robustly: the median and the range first (one bad seed
    moves neither much), the mean and standard deviation beside them."""

    median: float
    low: float
    high: float
    mean: float
    std: float
    seeds: int  # how many finished seeds these come from

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        finite = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
        if not finite.size:
            return cls(*[float("nan")] * 5, seeds=0)
        return cls(
            float(np.median(finite)),
            float(finite.min()),
            float(finite.max()),
            float(finite.mean()),
            float(finite.std()),
            int(finite.size),
        )

    def __str__(self) -> str:
        return f"{self.median:.3g}"

    @property
    def range(self) -> str:
        return f"{self.low:.2g}–{self.high:.2g}" if self.seeds > 1 else ""


def summarize(outcomes: Sequence[Outcome]) -> dict[str, dict]:
    """Per method, over seeds: final MSE per task, mean forgetting, BWT, seconds, and on how
    many seeds task 1 ends lower than naive's on the same seed (same data, same weights)."""
    naive = {o.seed: o.final[0] for o in outcomes if o.method == "naive" and o.complete}
    table: dict[str, dict] = {}
    for name in dict.fromkeys(o.method for o in outcomes):
        runs = [o for o in outcomes if o.method == name and o.complete]
        n_tasks = len(runs[0].loss_matrix) if runs else 0
        rivals = [r for r in runs if r.seed in naive]
        table[name] = {
            "final": [Stats.of([r.final[j] for r in runs]) for j in range(n_tasks)],
            "forgetting": Stats.of(
                [np.mean(metrics.forgetting(r.loss_matrix) or [0.0]) for r in runs]
            ),
            "bwt": Stats.of([metrics.backward_transfer(r.loss_matrix) or 0.0 for r in runs]),
            "seconds": Stats.of([o.seconds for o in outcomes if o.method == name]),
            "wins": int(sum(r.final[0] < naive[r.seed] for r in rivals)),
            "versus": len(rivals),  # seeds on which naive finished too
            "failed": sum(1 for o in outcomes if o.method == name and not o.complete),
        }
    return table
