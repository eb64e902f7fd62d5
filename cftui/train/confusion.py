"""Why class-incremental learning forgets, as numbers a view can draw: which class answers the
test points of each class, and how loud each class's output is.

van de Ven, Tuytelaars & Tolias (2022) and Wu et al. (2019, "Large scale incremental
learning") give the mechanism: training on the new classes alone drives their logits up
(their output bias above all) and the old classes' down, so every old point is answered by
a new class. EWC keeps the old *weights* near where they were, but nothing in its penalty
asks an old class to out-shout a new one, so it cannot help; replay shows the old points
again, and their own classes win them back. A confusion matrix shows the answer, the
logits' means the loudness.

A row of the matrix is a (task, class) pair: the test points of that class in that task. In
the class and task scenarios each class has one task, so the rows are the classes; in the
domain scenario every task has every class, so a row per task and class shows which task's
points the model forgot. Each point is answered as the test answers it (objective.masked):
among every class seen so far (class), its own task's (task: each head answers among its
task's classes, so the matrix is block-diagonal by construction), or all (domain). The
trainer keeps each measurement's answers; a Confusion is built from them once per snapshot
(a bincount). Imports no torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cftui.train import planar
from cftui.train.config import DataConfig

MEASURED = Path(__file__).parent / "why_class_il.json"  # benchmarks/why_class_il.py keeps it


@dataclass(frozen=True, eq=False)
class Confusion:
    """The test points of each row answered as each class, over the seeds shown."""

    counts: np.ndarray  # [R, C] whole numbers: row r's test points answered as class c
    # (summed over the seeds still training)
    logits: np.ndarray  # [C]: each class's mean logit over the test points of the tasks
    # trained so far (the median over the seeds), unmasked: how loud it answers

    def shares(self) -> np.ndarray:
        """``[R, C]``: each row's points answered as each class, as a share of the row (0
        where a row has no point)."""
        totals = self.counts.sum(1, keepdims=True)
        return self.counts / np.maximum(totals, 1)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Confusion)
            and np.array_equal(self.counts, other.counts)
            and np.array_equal(self.logits, other.logits, equal_nan=True)
        )

    __hash__ = None


def rows_of(data: DataConfig) -> list[tuple[int, int]]:
    """(task, class) of each row, in task order: the classes of task 1, then task 2's, ..."""
    return [(j, c) for j, block in enumerate(planar.task_classes(data)) for c in block]


def row_index(data: DataConfig) -> np.ndarray:
    """``[T, C]``: the row of a point of task j and class c (-1 where task j has no c)."""
    index = np.full((data.n_tasks, data.n_classes), -1)
    for r, (j, c) in enumerate(rows_of(data)):
        index[j, c] = r
    return index


def seen_classes(data: DataConfig, task: int) -> np.ndarray:
    """``[C]`` bool: the classes some task up to ``task`` has shown points of."""
    seen = np.zeros(data.n_classes, dtype=bool)
    for block in planar.task_classes(data)[: task + 1]:
        seen[list(block)] = True
    return seen


def tally(rows: np.ndarray, answers: np.ndarray, n_rows: int, n_classes: int) -> np.ndarray:
    """``[R, C]`` counts: the points of row ``rows[m]`` answered as class ``answers[m]``
    (both flat, of equal length)."""
    flat = np.bincount(rows * n_classes + answers, minlength=n_rows * n_classes)
    return flat.reshape(n_rows, n_classes)


def share_answered(counts: np.ndarray, data: DataConfig, task: int, by_task: int) -> float:
    """The share of task ``task``'s test points answered by a class of task ``by_task``, from
    a confusion matrix's ``counts``: the number the docs quote (after task 3 of blobs-class,
    task 1's points answered by task 3's classes)."""
    own = [r for r, (j, _) in enumerate(rows_of(data)) if j == task]
    by = list(planar.task_classes(data)[by_task])
    return float(counts[own][:, by].sum() / max(counts[own].sum(), 1))


def measured() -> dict:
    """MEASURED: benchmarks/why_class_il.py's shares, per method, one a seed."""
    return json.loads(MEASURED.read_text(encoding="utf-8"))


def measured_sentence() -> str:
    """The one sentence the panel's caption and the docs say, its numbers the median (and the
    range) over the kept seeds: what a student should see in the confusion matrix."""
    kept = measured()
    shares = {m: 100 * np.asarray(v) for m, v in kept["shares"].items()}
    median = {m: percent(np.median(v)) for m, v in shares.items()}
    spread = {m: f"{percent(v.min())}–{percent(v.max())} %" for m, v in shares.items()}
    return (
        f"After task 3 of {kept['preset']}, a class of task 3 answers {median['ewc']} % of "
        f"task 1's test points with EWC ({spread['ewc']}; naive {median['naive']} %), and "
        f"{median['replay']} % with replay ({spread['replay']}): medians (ranges) over "
        f"{len(kept['seeds'])} seeds."
    )


def percent(value: float) -> str:
    """A percentage to one decimal, without a trailing ".0"."""
    return f"{value:.1f}".removesuffix(".0")
