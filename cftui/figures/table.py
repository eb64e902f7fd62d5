"""The side-by-side table as a figure, as the app's summary table: every task's test score
now, against naive's, mean forgetting and BWT, the best of each column in bold. A
regression's score is its test MSE (task 1 against naive's in percent); a classification's
its accuracy in percent (the average against naive's, forgetting and BWT in points), the
number the app puts first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from cftui.figures.style import rc
from cftui.train import metrics
from cftui.train.snapshot import Snapshot


@dataclass(frozen=True)
class Score:
    what: str  # the caption's words for it
    history: Callable[[Snapshot], np.ndarray]  # [steps, tasks], as shown
    matrix: Callable[[Snapshot], Sequence[Sequence[float]]]  # rows after each task, as shown
    forgetting: Callable  # metrics' forgetting and BWT of that matrix
    bwt: Callable
    better: Callable  # max or min: the best of a column of scores (and of BWT: max)
    versus: str  # the column against naive's
    against: Callable[[np.ndarray, np.ndarray], float]  # a row of scores against naive's


LOSS = Score(
    "each task's test MSE now, task 1 against naive's",
    lambda snap: snap.test_losses,
    lambda snap: snap.loss_matrix,
    metrics.forgetting,
    metrics.backward_transfer,
    min,
    "task 1 vs naive %",
    lambda row, naive: 100 * (row[0] / naive[0] - 1),
)
ACCURACY = Score(
    "each task's test accuracy % now, the average vs naive's (points)",
    lambda snap: 100 * snap.test_accuracy,
    lambda snap: [[100 * v for v in row] for row in snap.accuracy_matrix],
    metrics.accuracy_forgetting,
    metrics.accuracy_bwt,
    max,
    "average vs naive",
    lambda row, naive: float(np.mean(row) - np.mean(naive)),
)


def score_of(snap: Snapshot) -> Score:
    return LOSS if snap.test_accuracy is None else ACCURACY


def scores(snap: Snapshot, score: Score) -> list[float]:
    """Every task's score now, mean forgetting and BWT (the scores now standing in for the
    row of a task under way, as in the app's table)."""
    now = [float(v) for v in score.history(snap)[-1]] if len(snap.steps) else []
    rows = [list(row) for row in score.matrix(snap)]
    if len(rows) <= snap.task and now:
        rows.append(now)
    forgetting = score.forgetting(rows) if rows else []
    bwt = score.bwt(rows) if rows else None
    mean = float(np.mean(forgetting)) if forgetting else math.nan
    return [*now, mean, math.nan if bwt is None else bwt]


def summary(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    """The side-by-side table: the best of each column in bold."""
    score, n_tasks = score_of(runs[0]), len(runs[0].scene.tasks)
    header = [*(f"task {j + 1}" for j in range(n_tasks)), "forgetting", "BWT"]
    best = [score.better] * n_tasks + [min, max]
    rows = [scores(snap, score) for snap in runs]
    values = np.array(rows, dtype=float).reshape(len(runs), -1)
    names = [snap.scene.config.method.name for snap in runs]
    if "naive" in names:  # as the app's table
        naive = values[names.index("naive"), :n_tasks]
        versus = [
            math.nan if name == "naive" else score.against(row[:n_tasks], naive)
            for name, row in zip(names, values, strict=True)
        ]
        values = np.insert(values, n_tasks, versus, axis=1)
        header.insert(n_tasks, score.versus)
        best.insert(n_tasks, score.better)
    ax = fig.add_subplot()
    ax.axis("off")
    cells = [[f"{v:.3g}" if math.isfinite(v) else "—" for v in row] for row in values]
    table = ax.table(
        cellText=cells, rowLabels=names, colLabels=header, loc="center", cellLoc="right"
    )
    table.scale(1, 1.6)
    for (row, col), cell in table.get_celld().items():
        cell.set_facecolor("none")
        cell.set_edgecolor(rc(style)["axes.edgecolor"])
        cell.get_text().set_color(rc(style)["text.color"])
        column = values[:, col] if col >= 0 and row > 0 else np.ones(0)
        finite = column[np.isfinite(column)]
        if len(finite) > 1 and values[row - 1, col] == best[col](finite):
            cell.get_text().set_fontweight("bold")
    ax.set_title(f"{score.what}, mean forgetting and BWT (bold: the best)", fontsize="medium")
