"""What the engine measures the model on: every task's test points, and the drawing grid.

All test points go through the model as one batch and come back in one device-to-host copy;
the per-task means are then a bincount on the host. Built once per data draw.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from cftui.tasks import Task, column

GRID_POINTS = 256  # where the fit is sampled for drawing


class Measure:
    def __init__(self, tasks: Sequence[Task], device: torch.device) -> None:
        lo = min(t.x_range[0] for t in tasks)
        hi = max(t.x_range[1] for t in tasks)
        self.grid = np.linspace(lo, hi, GRID_POINTS)
        self._grid_x = column(self.grid, device)
        self._test_x = column(np.concatenate([t.x_test for t in tasks]), device)
        self._test_y = np.concatenate([t.y_test for t in tasks])
        self._test_task = np.repeat(np.arange(len(tasks)), [len(t.x_test) for t in tasks])
        self._test_count = np.bincount(self._test_task)

    def test_losses(self, model: nn.Module) -> np.ndarray:
        """Every task's test MSE, in float64."""
        out = self._outputs(model, self._test_x)
        return np.bincount(self._test_task, (out - self._test_y) ** 2) / self._test_count

    def fit(self, model: nn.Module) -> np.ndarray:
        """The model's output on the grid, for drawing."""
        return self._outputs(model, self._grid_x)

    @staticmethod
    def _outputs(model: nn.Module, x: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return model(x).squeeze(1).double().cpu().numpy()
