"""What the trainer measures a regression on: every task's test points, and the drawing grid.

All test points of every seed go through the model as one batch and come back in one
device-to-host copy; the per-task means are then one matrix product on the host. A model
that is told the task (a task-aware method: multi-head, PackNet, a hypernetwork) answers
each task's points through that task's head, mask or weights, one pass per task; on the
drawing grid each x goes to the task whose range holds it (or the nearest).

A Measure's interface, which regions.py's classification Measure shares: ``grid`` (where
the picture is sampled), ``test`` (Scores per seed and task), ``picture`` (per seed) and
``shown`` (what a view of several seeds draws) and ``confusion`` (what the last test
answered, by class: a classification's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from cftui.train.objective import Regression
from cftui.train.per_seed import stacked
from cftui.train.snapshot import SeedView

if TYPE_CHECKING:
    from cftui.train.seed_data import SeedData

GRID_POINTS = 256  # where the fit is sampled for drawing


@dataclass(frozen=True)
class Scores:
    """A test of every seed on every task, each ``[S, T]`` in float64."""

    loss: np.ndarray  # test MSE, or cross-entropy
    accuracy: np.ndarray | None = None  # the share of points classified right (classification)
    answers: np.ndarray | None = None  # [S, M]: the class each test point was answered as
    logit_means: np.ndarray | None = None  # [S, C]: each class's mean logit over the test
    # points of the tasks trained so far (classification: confusion.py)


class Measure:
    def __init__(self, data: SeedData, objective: Regression) -> None:
        ranges = np.array([t.x_range for t in data.tasks[0]])  # shared by every seed
        self.grid = np.linspace(ranges.min(), ranges.max(), GRID_POINTS)
        self._grid_x = stacked(np.tile(self.grid, (len(data.seeds), 1)), data.device)
        below, above = ranges[:, 0] - self.grid[:, None], self.grid[:, None] - ranges[:, 1]
        self._grid_task = np.maximum(np.maximum(below, above), 0).argmin(1)
        self._test_x, self._test_y, self._test_task = data.test()
        self._task_means = task_means(self._test_task, data.n_tasks)

    def test(self, model: nn.Module, task: int, task_aware: bool = False) -> Scores:
        """Every seed's test MSE on every task."""
        out = answered(model, self._test_x, self._test_task if task_aware else None)
        return Scores(
            (out.squeeze(-1).double().cpu().numpy() - self._test_y) ** 2 @ self._task_means
        )

    def picture(self, model: nn.Module, task: int, task_aware: bool = False) -> np.ndarray:
        """Every seed's output on the grid, ``[S, G]``, for drawing."""
        out = answered(model, self._grid_x, self._grid_task if task_aware else None)
        return out.squeeze(-1).double().cpu().numpy()

    @staticmethod
    def shown(view: SeedView, pictures: np.ndarray) -> np.ndarray:
        """The fit a view draws: the one seed's, or the median over the seeds."""
        return view(pictures, 0)

    @staticmethod
    def confusion(view: SeedView, scores: Scores) -> None:
        """A regression answers no class: no confusion matrix."""
        return None


def task_means(test_task: np.ndarray, n_tasks: int) -> np.ndarray:
    """``[M, T]``: column j averages the test points of task j."""
    one_hot = test_task[:, None] == np.arange(n_tasks)
    return one_hot / one_hot.sum(0)


def answered(model: nn.Module, x: torch.Tensor, task_of: np.ndarray | None) -> torch.Tensor:
    """The model's outputs ``[S, M, F]``, without a graph; with ``task_of``, column m is
    answered as task ``task_of[m]``."""
    with torch.no_grad():
        if task_of is None:
            return model(x)
        out = None
        for task in np.unique(task_of):
            index = torch.as_tensor(np.flatnonzero(task_of == task), device=x.device)
            part = model(x[:, index], int(task))
            if out is None:
                out = part.new_empty((*x.shape[:2], part.shape[-1]))
            out[:, index] = part
        return out
