"""What a run or a comparison comes to, as plain data, computed without torch.

One seed of one method is an Outcome (its loss matrix and how it ended). Over seeds a value
is reported robustly (Stats: the median and the range first, so one bad seed does not decide
it), and run_result / comparison_result are the JSON documents `cftui run` and
`cftui compare` write. Nothing here imports torch: `cftui sweep show` and the replay load
it to compute a median.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cftui import __version__
from cftui.train import metrics
from cftui.train.snapshot import Divergence, State

if TYPE_CHECKING:
    from cftui.train.trainer import Trainer


@dataclass(frozen=True)
class Outcome:
    """One seed of one method: its loss matrix, and how it ended."""

    method: str
    seed: int
    loss_matrix: list[list[float]]
    seconds: float  # its share of the time its method's seeds trained together
    state: str  # finished | diverged
    failure: Divergence | None = None  # where it diverged
    accuracy_matrix: list[list[float]] | None = None  # a classification's

    @property
    def final(self) -> list[float]:
        """Test loss on every task after the last one."""
        return self.loss_matrix[-1]

    @property
    def average_accuracy(self) -> float:
        """A classification's mean accuracy over every task after the last one."""
        return float(np.mean(self.accuracy_matrix[-1]))

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
            **(accuracy_fields(self.accuracy_matrix, done) if self.accuracy_matrix else {}),
        }


def accuracy_fields(matrix: list[list[float]], complete: bool) -> dict[str, Any]:
    """A classification's accuracy matrix with its average, forgetting and BWT (fractions:
    0.25 is 25 accuracy points)."""
    return {
        "accuracy_matrix": matrix,
        "average_accuracy": float(np.mean(matrix[-1])) if complete else None,
        "accuracy_forgetting": metrics.accuracy_forgetting(matrix) if complete else None,
        "accuracy_bwt": metrics.accuracy_bwt(matrix) if complete else None,
    }


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


WIN_CUT = 0.1  # a win over naive: task 1's final loss at least 10 % below naive's, on the
WIN_POINTS = 0.02  # same seed; for classes, an average accuracy at least 2 points above
WINS = {  # what a win is, in the tables' words
    False: "a win: task 1 ends at least 10 % below naive's on the same seed",
    True: "a win: an average accuracy at least 2 points above naive's on the same seed",
}


def beats(mine: Outcome, naive: Outcome) -> bool:
    """Whether ``mine`` beat naive's run of the same seed (same data, same weights) by a
    margin: by a hair is not a win (EWC's +0 points on blobs-class read as one)."""
    if mine.accuracy_matrix:
        return mine.average_accuracy >= naive.average_accuracy + WIN_POINTS
    return mine.final[0] <= (1 - WIN_CUT) * naive.final[0]


def summarize(outcomes: Sequence[Outcome]) -> dict[str, dict]:
    """Per method, over seeds: final loss per task, mean forgetting, BWT, seconds, and on
    how many seeds it beat naive (:func:`beats`). A classification adds its accuracy: final
    per task, average, forgetting and BWT."""
    classes = any(o.accuracy_matrix for o in outcomes)
    naive = {o.seed: o for o in outcomes if o.method == "naive" and o.complete}
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
            "wins": int(sum(beats(r, naive[r.seed]) for r in rivals)),
            "versus": len(rivals),  # seeds on which naive finished too
            "failed": sum(1 for o in outcomes if o.method == name and not o.complete),
        }
        if classes:
            table[name] |= _accuracy_stats(runs, n_tasks)
    return table


def _accuracy_stats(runs: Sequence[Outcome], n_tasks: int) -> dict[str, Any]:
    """A classification's accuracy over seeds: final per task, their average, forgetting
    (the mean over tasks, per seed) and BWT."""
    matrices = [r.accuracy_matrix for r in runs]
    return {
        "accuracy": [Stats.of([m[-1][j] for m in matrices]) for j in range(n_tasks)],
        "average_accuracy": Stats.of([r.average_accuracy for r in runs]),
        "accuracy_forgetting": Stats.of(
            [np.mean(metrics.accuracy_forgetting(m)) if n_tasks > 1 else np.nan for m in matrices]
        ),
        "accuracy_bwt": Stats.of(
            [metrics.accuracy_bwt(m) if n_tasks > 1 else np.nan for m in matrices]
        ),
    }


def mean_forgetting(matrix: list[list[float]]) -> float:
    """Mean forgetting over the tasks before the last; undefined (nan) for one task."""
    forgetting = metrics.forgetting(matrix)
    return float(np.mean(forgetting)) if forgetting else float("nan")


def _bwt(matrix: list[list[float]]) -> float:
    bwt = metrics.backward_transfer(matrix)
    return float("nan") if bwt is None else bwt


def run_result(trainer: Trainer) -> dict[str, Any]:
    """The JSON result of ``cftui run``: config, tasks, loss matrix and its metrics (and a
    classification's accuracy matrix with its own)."""
    snap, config, seconds = trainer.take_snapshot(), trainer.config, trainer.now.train_seconds
    matrix = [list(row) for row in snap.loss_matrix]
    complete = len(matrix) == len(trainer.tasks)
    accuracy = [list(row) for row in snap.accuracy_matrix]
    return {
        "version": __version__,
        "preset": config.name,
        "problem": trainer.problem.kind,
        "config": config.to_dict(),
        "method": config.method.name,
        "seed": config.data.seed,
        "device": str(trainer.device),
        "state": str(snap.state),
        "diverged": trainer.now.failures[0].to_dict() if trainer.now.failures[0] else None,
        "tasks": [
            {
                "name": task.name,
                **task.about(),
                "n_train": len(task.x_train),
                "n_test": len(task.x_test),
            }
            for task in trainer.tasks
        ],
        "loss_matrix": matrix,
        "forgetting": metrics.forgetting(matrix) if complete else None,
        "bwt": metrics.backward_transfer(matrix) if complete else None,
        **(accuracy_fields(accuracy, complete) if accuracy else {}),
        "steps": snap.step,
        "train_seconds": seconds,
        "steps_per_second": snap.step / seconds if seconds else 0.0,
    }


def comparison_result(config, device, seeds, outcomes, summary) -> dict[str, Any]:
    """The JSON result of ``cftui compare``: every run's loss matrix, and the summary."""
    return {
        "version": __version__,
        "preset": config.name,
        "config": config.to_dict(),
        "device": str(device),
        "seeds": list(seeds),
        "runs": [outcome.to_dict() for outcome in outcomes],
        "summary": summary,
    }
