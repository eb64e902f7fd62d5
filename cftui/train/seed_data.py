"""Every seed's draw of the tasks, stacked: what a run of S seeds trains and measures on.

Seed s draws its own data (its noise, its test split, for random families its own curve),
exactly as a single run with that seed would. Every seed has the same number of points per
task, so the tasks stack into tensors ``[S, N, F]`` (F = 1 for a 1-D x, 2 for a point in the
plane) and targets ``[S, N, 1]`` (a float y, or a class index) that the stacked model takes
whole. The helpers that draw, take and sum per seed are in per_seed.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import torch

from cftui.train import problem
from cftui.train.config import DataConfig
from cftui.train.per_seed import stacked


class SeedData:
    def __init__(self, data: DataConfig, seeds: Sequence[int], device: torch.device) -> None:
        self.seeds = tuple(seeds)
        self.device = device
        self.config = data  # what every seed's tasks were drawn from
        draw = problem.of_data(data).draw
        self.tasks: list[list] = [  # [seed][task]: a Task or a PlaneTask
            draw(dataclasses.replace(data, seed=seed)) for seed in self.seeds
        ]
        self._train = [
            (self._stack(k, "x_train"), self._stack(k, "y_train")) for k in range(self.n_tasks)
        ]

    @property
    def n_tasks(self) -> int:
        return len(self.tasks[0])

    def train(self, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Task ``k``'s training points of every seed: x ``[S, N, F]`` and y ``[S, N, 1]``."""
        return self._train[k]

    def test(self) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
        """Every task's test points in one batch: x ``[S, M, F]`` on the device, y ``[S, M]``
        on the host, and the task each of the M columns belongs to."""
        x = np.stack([np.concatenate([t.x_test for t in tasks]) for tasks in self.tasks])
        y = np.stack([np.concatenate([t.y_test for t in tasks]) for tasks in self.tasks])
        sizes = [len(t.x_test) for t in self.tasks[0]]
        return stacked(x, self.device), y, np.repeat(np.arange(self.n_tasks), sizes)

    def _stack(self, k: int, field: str) -> torch.Tensor:
        return stacked(np.stack([getattr(tasks[k], field) for tasks in self.tasks]), self.device)
