"""What the trainer measures the model on: every task's test points, and the drawing grid.

All test points of every seed go through the model as one batch and come back in one
device-to-host copy; the per-task means are then one matrix product on the host. A model
that is told the task (a task-aware method: multi-head, PackNet, a hypernetwork) answers
each task's points through that task's head, mask or weights, one pass per task; on the
drawing grid each x goes to the task whose range holds it (or the nearest).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from cftui.train.seed_data import SeedData, stacked

GRID_POINTS = 256  # where the fit is sampled for drawing


class Measure:
    def __init__(self, data: SeedData) -> None:
        ranges = np.array([t.x_range for t in data.tasks[0]])  # shared by every seed
        self.grid = np.linspace(ranges.min(), ranges.max(), GRID_POINTS)
        self._grid_x = stacked(np.tile(self.grid, (len(data.seeds), 1)), data.device)
        below, above = ranges[:, 0] - self.grid[:, None], self.grid[:, None] - ranges[:, 1]
        self._grid_task = np.maximum(np.maximum(below, above), 0).argmin(1)
        self._test_x, self._test_y, self._test_task = data.test()
        one_hot = self._test_task[:, None] == np.arange(data.n_tasks)
        self._task_means = one_hot / one_hot.sum(0)  # [M, T]: column j averages task j

    def test_losses(self, model: nn.Module, task_aware: bool = False) -> np.ndarray:
        """Every seed's test MSE on every task, ``[S, T]``, in float64."""
        out = self._outputs(model, self._test_x, self._test_task if task_aware else None)
        return (out - self._test_y) ** 2 @ self._task_means

    def fit(self, model: nn.Module, task_aware: bool = False) -> np.ndarray:
        """Every seed's output on the grid, ``[S, G]``, for drawing."""
        return self._outputs(model, self._grid_x, self._grid_task if task_aware else None)

    @staticmethod
    def _outputs(model: nn.Module, x: torch.Tensor, task_of: np.ndarray | None) -> np.ndarray:
        """The model's outputs ``[S, M]``; with ``task_of``, column m is answered as task
        ``task_of[m]``."""
        with torch.no_grad():
            if task_of is None:
                return model(x).squeeze(-1).double().cpu().numpy()
            out = np.empty(x.shape[:2])
            for task in np.unique(task_of):
                columns = task_of == task
                index = torch.as_tensor(np.flatnonzero(columns), device=x.device)
                out[:, columns] = model(x[:, index], int(task)).squeeze(-1).double().cpu()
            return out
