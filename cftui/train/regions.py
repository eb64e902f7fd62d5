"""What the trainer measures a classification on: accuracy and cross-entropy per task, and
the class the model predicts over the plane (its decision regions).

The test points of every seed go through the model in one batch; each is answered among
the classes its scenario lets answer it (objective.Classification), so a class-incremental
test asks which of every class seen so far, a task-incremental one which of its own task's.
Each test also keeps every point's answer and each class's mean logit, from which a
snapshot's confusion matrix is counted (confusion.py). The plane is a square grid around
every task's points: each cell is predicted as a point of the task whose points lie nearest
(for the task scenario's head; the other scenarios need no task), and a view of several
seeds draws the class most seeds predict there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cftui.train.confusion import Confusion, row_index, tally
from cftui.train.measure import Scores, answered, task_means
from cftui.train.objective import Classification
from cftui.train.per_seed import stacked
from cftui.train.snapshot import SeedView

if TYPE_CHECKING:
    from cftui.train.seed_data import SeedData

GRID_SIDE = 48  # cells along each axis of the plane where the regions are sampled (about
# a 120x40 panel's; a snapshot's regions cost 3 ms here, 64 cost 5.6)
MARGIN = 0.1  # of the points' extent, left around them


class RegionMeasure:
    def __init__(self, data: SeedData, objective: Classification) -> None:
        self.objective = objective
        test_x, test_y, self._test_task = data.test()
        self._test_x = test_x
        self._test_y = stacked(test_y, data.device)
        self._task_means = task_means(self._test_task, data.n_tasks)
        rows = row_index(data.config)
        self._test_rows = rows[self._test_task, test_y]  # [S, M]: each point's confusion row
        self._confusion_shape = (int(rows.max()) + 1, data.config.n_classes)
        trained = self._test_task <= np.arange(data.n_tasks)[:, None]  # [T, M]
        self._trained_means = torch.as_tensor(
            trained / trained.sum(1, keepdims=True), dtype=torch.float32, device=data.device
        )  # row k: the mean over the test points of the tasks up to k
        self._place_picture(data)

    def _place_picture(self, data: SeedData) -> None:
        """The plane's grid of cells, and the task whose head answers each."""
        tasks = data.tasks[0]
        points = np.concatenate([np.concatenate([t.x_train, t.x_test]) for t in tasks])
        centre = (points.min(0) + points.max(0)) / 2
        half = (points.max(0) - points.min(0)).max() * (0.5 + MARGIN)
        side = np.linspace(-half, half, GRID_SIDE)
        self.grid = np.stack([centre[0] + side, centre[1] + side])  # [2, G]: x, y centres
        xs, ys = np.meshgrid(self.grid[0], self.grid[1])  # row r: y = grid[1][r]
        cells = np.stack([xs.ravel(), ys.ravel()], 1)
        self._grid_x = stacked(np.tile(cells, (len(data.seeds), 1, 1)), data.device)
        centroids = np.array([t.x_train.mean(0) for t in tasks])
        self._grid_task = ((cells[:, None] - centroids) ** 2).sum(-1).argmin(1)

    def test(self, model: nn.Module, task: int, task_aware: bool = False) -> Scores:
        """Every seed's test cross-entropy and accuracy on every task, at task ``task``."""
        out = answered(model, self._test_x, self._test_task if task_aware else None)
        logits = self.objective.masked(out, self._test_y, task)
        y = self._test_y.squeeze(-1)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none")
        answers = logits.argmax(-1)
        right = (answers == y).double()
        per_point = torch.stack([loss.view(y.shape).double(), right, answers.double()])
        loss, accuracy, answers = per_point.cpu().numpy()
        logit_means = torch.matmul(self._trained_means[task], out.float())  # [S, C]
        loss, accuracy = np.stack([loss, accuracy]) @ self._task_means
        return Scores(loss, accuracy, answers.astype(np.int64), logit_means.cpu().numpy())

    def picture(self, model: nn.Module, task: int, task_aware: bool = False) -> np.ndarray:
        """Every seed's predicted class in every cell of the plane, ``[S, G * G]`` (row-major,
        y rising with the row)."""
        out = answered(model, self._grid_x, self._grid_task if task_aware else None)
        tasks = torch.as_tensor(self._grid_task, device=self._grid_x.device)
        allowed = self.objective.unlabelled_mask(tasks, task)
        return out.masked_fill(~allowed, float("-inf")).argmax(-1).cpu().numpy()

    @staticmethod
    def shown(view: SeedView, pictures: np.ndarray) -> np.ndarray:
        """The regions a view draws: the one seed's, or the class most seeds predict."""
        return view.mode(pictures)

    def confusion(self, view: SeedView, scores: Scores) -> Confusion:
        """The last test's answers as a confusion matrix: the counts summed over the seeds a
        view shows, each class's mean logit their median (confusion.py)."""
        return Confusion(self.counts(view.seeds, scores), view(scores.logit_means, 0))

    def counts(self, seeds: list[int], scores: Scores) -> np.ndarray:
        """``[R, C]``: the last test's answers of ``seeds`` (indices), counted together."""
        rows, answers = self._test_rows[seeds].ravel(), scores.answers[seeds].ravel()
        return tally(rows, answers, *self._confusion_shape)
