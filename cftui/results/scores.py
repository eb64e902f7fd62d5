"""What a side-by-side table compares, one rule for the app's table and the summary figure:
a regression's test loss, or a classification's accuracy in percent (its forgetting and BWT
in points), the number each view puts first.

Both read it as it stands at a snapshot: every task's score at the last measurement, and
mean forgetting and BWT with the task in training's scores now standing for its row (at
the end, exactly metrics'). Imports no torch and no Textual.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rich.text import Text

from cftui.results.report import points_versus, versus
from cftui.train import metrics, problem
from cftui.train.snapshot import Snapshot


@dataclass(frozen=True)
class Score:
    title: Callable[[Snapshot], str]  # what the scores are called, e.g. "test MSE"
    history: Callable[[Snapshot], np.ndarray | None]  # [steps, tasks]
    matrix: Callable[[Snapshot], tuple]  # rows after each task
    scale: float  # shown as value * scale
    best: Callable  # min or max: which end of a column is best
    forgetting: Callable  # metrics' forgetting and BWT of this score's matrix
    bwt: Callable
    versus_title: str  # the column against naive's
    versus_short: str  # the same where a table is narrow (five tasks at 80 columns)
    against: Callable[[list[float], list[float]], float]  # a row against naive's row
    against_unit: str  # of that number: "%" or "pts"
    against_text: Callable[[list[float], list[float]], Text]  # as the app shows it, coloured

    def now(self, snap: Snapshot) -> list[float]:
        """Every task's score at the last measurement (nan before the first)."""
        if not len(snap.steps):
            return [math.nan] * len(snap.scene.tasks)
        return [self.scale * float(v) for v in self.history(snap)[-1]]

    def standing(self, snap: Snapshot, now: list[float]) -> tuple[float, float]:
        """Mean forgetting and BWT as they stand now: the matrix's finished rows, and the
        scores ``now`` as the row of the task in training. At the end, exactly metrics'."""
        rows = [[self.scale * v for v in row] for row in self.matrix(snap)]
        if len(rows) <= snap.task:  # the task in training has no row yet: now stands for it
            rows.append(now)
        forgetting, bwt = self.forgetting(rows), self.bwt(rows)
        return (
            float(np.mean(forgetting)) if forgetting else math.nan,
            math.nan if bwt is None else bwt,
        )


def _points(row: list[float], naive: list[float]) -> float:
    """The average accuracy (in percent) against naive's, in points."""
    return float(np.mean(row) - np.mean(naive))


LOSS = Score(
    title=lambda snap: problem.of(snap.scene.config).loss_name,
    history=lambda snap: snap.test_losses,
    matrix=lambda snap: snap.loss_matrix,
    scale=1.0,
    best=min,
    forgetting=metrics.forgetting,
    bwt=metrics.backward_transfer,
    versus_title="task 1 vs naive",
    versus_short="t1 vs naive",
    against=lambda row, naive: 100 * (row[0] / naive[0] - 1),  # % change of task 1's loss
    against_unit="%",
    against_text=lambda row, naive: versus(row[0], naive[0]),
)
ACCURACY = Score(
    title=lambda snap: "test accuracy %",
    history=lambda snap: snap.test_accuracy,
    matrix=lambda snap: snap.accuracy_matrix,
    scale=100.0,
    best=max,
    forgetting=metrics.accuracy_forgetting,
    bwt=metrics.accuracy_bwt,
    versus_title="average vs naive",
    versus_short="avg vs naive",
    against=lambda row, naive: _points(row, naive),
    against_unit="pts",
    against_text=lambda row, naive: points_versus(_points(row, naive)),
)


def of(snap: Snapshot) -> Score:
    """The score ``snap``'s problem is compared by."""
    return LOSS if snap.test_accuracy is None else ACCURACY


def best_of(values: list[float], pick) -> int | None:
    """The index of the best of ``values`` by ``pick`` (min or max), which a table marks;
    None where fewer than two are finite or the best is shared (no one is best: after task 1,
    every method's 0 % on task 2)."""
    finite = [v for v in values if math.isfinite(v)]
    if len(finite) < 2 or finite.count(best := pick(finite)) > 1:
        return None
    return values.index(best)
