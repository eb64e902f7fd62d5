"""Methods side by side: each on the same data and the same initial weights, per seed.

The seed fixes both the data and the initial weights, so for one seed every method starts
from the same place. A method's seeds train at once, as one stacked model (engine seeds);
each seed's numbers equal a single run of that seed up to float rounding. Over seeds the
summary reports the median and the range first, so one bad seed does not decide it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from cftui import metrics
from cftui.config import Config
from cftui.engine import Engine
from cftui.snapshot import Divergence, State


@dataclass(frozen=True)
class Outcome:
    """One seed of one method: its loss matrix, and how it ended."""

    method: str
    seed: int
    loss_matrix: list[list[float]]
    seconds: float  # its share of the time its method's seeds trained together
    state: str  # finished | diverged
    failure: Divergence | None = None  # where it diverged

    @property
    def final(self) -> list[float]:
        """Test MSE on every task after the last one."""
        return self.loss_matrix[-1]

    @property
    def complete(self) -> bool:
        return self.state == State.FINISHED

    def to_dict(self) -> dict:
        """The JSON row: the loss matrix with its forgetting and BWT."""
        done = self.complete and len(self.loss_matrix) > 1
        return {
            "method": self.method,
            "seed": self.seed,
            "loss_matrix": self.loss_matrix,
            "forgetting": metrics.forgetting(self.loss_matrix) if done else None,
            "bwt": metrics.backward_transfer(self.loss_matrix) if done else None,
            "state": self.state,
            "diverged": self.failure.to_dict() if self.failure else None,
            "seconds": self.seconds,
        }


def run_all(
    config: Config,
    method_names: Sequence[str],
    seeds: Sequence[int],
    device: torch.device,
    progress: Callable[[str], None] = lambda method: None,
) -> list[Outcome]:
    """Every method over every seed, a method's seeds trained at once."""
    outcomes = []
    for name in method_names:
        progress(name)
        engine = Engine(config.with_overrides(method=name), device, seeds=seeds)
        engine.run()
        outcomes += seed_outcomes(engine)
    return outcomes


def seed_outcomes(engine: Engine) -> list[Outcome]:
    """Each seed's outcome of a finished (or wholly diverged) run."""
    now, seeds = engine.now, engine.data.seeds
    rows = [[row[s].tolist() for row in now.loss_matrix] for s in range(len(seeds))]
    share = now.train_seconds / len(seeds)
    return [
        Outcome(
            engine.config.method.name,
            seed,
            rows[s],
            share,
            str(State.DIVERGED if now.failures[s] else now.state),
            now.failures[s],
        )
        for s, seed in enumerate(seeds)
    ]


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
            "forgetting": Stats.of([mean_forgetting(r.loss_matrix) for r in runs]),
            "bwt": Stats.of([_bwt(r.loss_matrix) for r in runs]),
            "seconds": sum(o.seconds for o in outcomes if o.method == name),
            "wins": int(sum(r.final[0] < naive[r.seed] for r in rivals)),
            "versus": len(rivals),  # seeds on which naive finished too
            "failed": sum(1 for o in outcomes if o.method == name and not o.complete),
        }
    return table


def mean_forgetting(matrix: list[list[float]]) -> float:
    """Mean forgetting over the tasks before the last; undefined (nan) for one task."""
    forgetting = metrics.forgetting(matrix)
    return float(np.mean(forgetting)) if forgetting else float("nan")


def _bwt(matrix: list[list[float]]) -> float:
    bwt = metrics.backward_transfer(matrix)
    return float("nan") if bwt is None else bwt
