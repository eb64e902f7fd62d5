"""What the trainer measures a digits run on: the tests of any classification
(regions.RegionMeasure: accuracy, cross-entropy, the confusion matrix), and as its picture
the class the model gives a fixed handful of each task's test images, which the live view
draws as a grid of digits (the 2-D plane a 64-pixel input does not have).

The handful is the first ``SHOWN_PER_TASK`` test images of each task, in the set's order
(its digits come mixed). Each is answered exactly as the test answers it: among the classes
its scenario lets answer a point of its task, at the task the model stands at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from torch import nn

from cftui.train.measure import answered
from cftui.train.regions import RegionMeasure
from cftui.train.snapshot import SeedView

if TYPE_CHECKING:
    from cftui.train.seed_data import SeedData

SHOWN_PER_TASK = 16  # images per task the picture answers: a 120x40 panel shows about 40


class DigitMeasure(RegionMeasure):
    def _place_picture(self, data: SeedData) -> None:
        """Which test images the picture holds: ``grid`` is ``[2, P]``, each one's task and
        its index among that task's test images (the scene's tasks, the first seed's)."""
        sizes = [len(t.x_test) for t in data.tasks[0]]
        firsts = np.cumsum([0, *sizes[:-1]])
        shown = [(k, i) for k, n in enumerate(sizes) for i in range(min(n, SHOWN_PER_TASK))]
        self.grid = np.array(shown, dtype=np.int64).T
        self._shown_columns = firsts[self.grid[0]] + self.grid[1]

    def picture(self, model: nn.Module, task: int, task_aware: bool = False) -> np.ndarray:
        """Every seed's answer to its own shown test images, ``[S, P]``."""
        columns = self._shown_columns
        out = answered(
            model, self._test_x[:, columns], self._test_task[columns] if task_aware else None
        )
        return self.objective.masked(out, self._test_y[:, columns], task).argmax(-1).cpu().numpy()

    @staticmethod
    def shown(view: SeedView, pictures: np.ndarray) -> np.ndarray:
        """The first seed's answers: the scene holds its images (another seed's split tests
        other images; their answers to these would count images they trained on)."""
        return pictures[0]
