"""The kind of problem a run poses, as one value: its loss, what its test measures, and the
picture a view draws of the model.

The trainer asks its Problem for the batch loss and for the Measure of its data; a view asks
for the picture's name and picks the panel that draws it. So a second kind (classification
in 2-D: cross-entropy, accuracy, decision regions) is a new Problem with its own Measure and
its own panel, not an `if regression:` in the trainer or the views. Today every data family
is a regression, the article's problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cftui.train.config import Config


@dataclass(frozen=True)
class Problem:
    picture: str  # what a view draws of the model: "fit", a curve over the tasks' x-range
    loss: Callable[[], Callable[..., Any]]  # the batch loss (torch), imported when a run is built
    measure: Callable[[], type]  # the Measure class (test metric per seed and task; picture)


def _mse():
    import torch.nn.functional as F

    return F.mse_loss


def _fit_measure():
    from cftui.train.measure import Measure

    return Measure


REGRESSION = Problem("fit", _mse, _fit_measure)


def of(config: Config) -> Problem:
    """The problem ``config`` poses: its data family's kind (every family is a regression)."""
    return REGRESSION
