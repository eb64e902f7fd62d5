"""A run's numbers as CSV, for a spreadsheet or a paper's plot: the loss history and the
loss matrix.

The history has a row per step measured: the step, the task in training at that step
(1-based; a measurement taken at a task's last step belongs to that task), and every task's
test loss, named by the problem (``test_mse_task_K``; a classification's ``test_ce_task_K``,
cross-entropy, then ``test_accuracy_task_K``). A step measured twice (`n` right after a
measurement: the task's end measures again, after the method's end of the task) gives its
last measurement, the loss matrix's. The matrix has a row per finished task: the test loss
on every task after training it (a classification's accuracy matrix beside it, as in the
JSON), so a reader never takes a cross-entropy for an MSE.
Numbers are written in full (Python's shortest exact form), nan as "nan". With several
seeds, a snapshot holds their median, and so does the CSV. Files are written atomically.
Imports no torch.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cftui.results.atomic import WriteError, write_all
from cftui.train import problem
from cftui.train.config import Config
from cftui.train.snapshot import Comparison, Snapshot


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _task_columns(snap: Snapshot) -> list[str]:
    """The test loss of each task, then (a classification) its accuracy, named by the
    problem: test_mse_task_1, ... or test_ce_task_1, ..., test_accuracy_task_1, ..."""
    posed = problem.of(snap.scene.config)
    names = [posed.loss_column] + ([f"test_{posed.score}"] if posed.score else [])
    return [f"{name}_task_{j + 1}" for name in names for j in range(len(snap.scene.tasks))]


def _scores(losses: np.ndarray, accuracy: np.ndarray | None) -> np.ndarray:
    """Rows of losses, with a classification's accuracy rows beside them."""
    return losses if accuracy is None else np.hstack([losses, accuracy])


def history_csv(snap: Snapshot) -> str:
    """step, task, test_mse_task_1, ... (_task_columns): one row per step measured, oldest
    first."""
    last = np.append(np.diff(snap.steps) != 0, True)  # the last measurement of each step
    accuracy = None if snap.test_accuracy is None else snap.test_accuracy[last]
    steps, losses = snap.steps[last], _scores(snap.test_losses[last], accuracy)
    tasks = np.searchsorted(np.asarray(snap.boundaries, dtype=np.int64), steps) + 1
    rows = [
        [int(step), int(task), *row.tolist()]
        for step, task, row in zip(steps, tasks, losses, strict=True)
    ]
    return _csv(["step", "task", *_task_columns(snap)], rows)


def matrix_csv(snap: Snapshot) -> str:
    """after_task, test_mse_task_1, ... (_task_columns): row i is every task's test loss
    (and accuracy) after task i."""
    rows = [
        [i + 1, *row, *(snap.accuracy_matrix[i] if snap.test_accuracy is not None else ())]
        for i, row in enumerate(snap.loss_matrix)
    ]
    return _csv(["after_task", *_task_columns(snap)], rows)


def matrix_path(out: Path) -> Path:
    """The loss matrix's file beside the history's: run.csv -> run-matrix.csv."""
    return out.with_name(f"{out.stem}-matrix{out.suffix or '.csv'}")


def csv_files(out: Path, snap: Snapshot) -> dict[Path, str]:
    """``cftui run --csv OUT``'s files: the history as OUT, the loss matrix as OUT-matrix.csv
    (matrix_path)."""
    return {out: history_csv(snap), matrix_path(out): matrix_csv(snap)}


def write_csv(out: Path, snap: Snapshot) -> tuple[Path, Path]:
    """Both CSV files, or neither; WriteError (one line naming the path) when either cannot
    be written."""
    write_all(csv_files(out, snap))
    return out, matrix_path(out)


def file_stem(config: Config, methods: Sequence[str] = ()) -> str:
    """cftui-PRESET-METHOD-TIMESTAMP (METHODS joined by '-' side by side), safe as a file
    name: the preset's name is text from a file, and anything but letters, digits, '.', '_'
    and '-' in it becomes '_'."""
    shown = "-".join(methods) or config.method.name
    stem = re.sub(r"[^\w.-]", "_", f"cftui-{config.name}-{shown}")
    return f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"


def save_here(snap: Snapshot | Comparison) -> tuple[bool, str]:
    """The app's "e": every run's history and matrix CSVs in the current folder; whether
    they were saved, and "saved PATH, PATH" or why not, for a notification."""
    saved = []
    for run in snap.runs if isinstance(snap, Comparison) else (snap,):
        try:
            saved += write_csv(Path(f"{file_stem(run.scene.config)}.csv"), run)
        except WriteError as err:
            return False, f"CSV not saved: {err}"
    if len(saved) == 2:
        return True, "saved " + ", ".join(str(path.resolve()) for path in saved)
    names = ", ".join(path.name for path in saved[::2])
    return True, f"saved {len(saved)} files in {Path.cwd()}: {names} and their -matrix.csv"
