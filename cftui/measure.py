"""What the engine measures the model on: every task's test points, and the drawing grid.

All test points of every seed go through the model as one batch and come back in one
device-to-host copy; the per-task means are then one matrix product on the host.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from cftui.seed_data import SeedData, stacked

GRID_POINTS = 256  # where the fit is sampled for drawing


class Measure:
    def __init__(self, data: SeedData) -> None:
        tasks = data.tasks[0]  # every seed's tasks share their x-ranges
        lo = min(t.x_range[0] for t in tasks)
        hi = max(t.x_range[1] for t in tasks)
        self.grid = np.linspace(lo, hi, GRID_POINTS)
        self._grid_x = stacked(np.tile(self.grid, (len(data.seeds), 1)), data.device)
        self._test_x, self._test_y, task_of = data.test()
        one_hot = task_of[:, None] == np.arange(data.n_tasks)
        self._task_means = one_hot / one_hot.sum(0)  # [M, T]: column j averages task j

    def test_losses(self, model: nn.Module) -> np.ndarray:
        """Every seed's test MSE on every task, ``[S, T]``, in float64."""
        return (self._outputs(model, self._test_x) - self._test_y) ** 2 @ self._task_means

    def fit(self, model: nn.Module) -> np.ndarray:
        """Every seed's output on the grid, ``[S, G]``, for drawing."""
        return self._outputs(model, self._grid_x)

    @staticmethod
    def _outputs(model: nn.Module, x: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return model(x).squeeze(-1).double().cpu().numpy()
