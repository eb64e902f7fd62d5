"""The kind of problem a run poses, as one value: what it minimises, what its test measures,
and the picture a view draws of the model.

The trainer asks its Problem for the objective (the loss, and the likelihood the methods
reason with: objective.py) and for the Measure of its data; a view asks for the picture's
name and picks the panel that draws it. A 1-D data family poses the article's regression
(MSE, test MSE, the fit over x); a 2-D one a classification (cross-entropy, accuracy and
cross-entropy per task, the decision regions over the plane; the digits, its answers to
some test images). Neither the trainer nor a view
has an ``if regression:``. Imports no torch until a run is built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cftui.train import digits, methods, planar, tasks

if TYPE_CHECKING:
    from cftui.train.config import Config, DataConfig


@dataclass(frozen=True)
class Problem:
    kind: str  # "regression" or "classification", as a result file names it
    draw: Callable[[DataConfig], list]  # a DataConfig's tasks (numpy, no torch)
    picture: str  # what a view draws of the model: "fit", a curve over the tasks' x-range;
    # "regions", the class it predicts over the plane; "digits", its answers to test images
    objective: Callable[[DataConfig], Any]  # the loss and likelihood (torch), for a run
    measure: Callable[[], type]  # the Measure class (test metrics per seed and task; picture)
    loss_name: str  # what its test loss is called: "test MSE" or "test cross-entropy"
    score: str  # what the test scores tasks by, besides the loss: "" or "accuracy"
    loss_column: str  # the test loss's column in a CSV, before "_task_K": "test_mse" or
    # "test_ce" (cross-entropy)
    first_class: int = 1  # the name of class 0, the next ones counting on: a 2-D preset's
    # classes are 1..C as its legend says; a digit is named by itself (0..9)


def _regression(data: DataConfig):
    from cftui.train.objective import Regression

    return Regression()


def _classification(data: DataConfig):
    from cftui.train.objective import Classification

    return Classification(data)


def _fit_measure():
    from cftui.train.measure import Measure

    return Measure


def _regions_measure():
    from cftui.train.regions import RegionMeasure

    return RegionMeasure


def _digits_measure():
    from cftui.train.digit_measure import DigitMeasure

    return DigitMeasure


REGRESSION = Problem(
    "regression", tasks.make_tasks, "fit", _regression, _fit_measure, "test MSE", "", "test_mse"
)
CLASSIFICATION = Problem(
    "classification",
    planar.make_tasks,
    "regions",
    _classification,
    _regions_measure,
    "test cross-entropy",
    "accuracy",
    "test_ce",
)
DIGITS = dataclasses.replace(
    CLASSIFICATION,
    draw=digits.make_tasks,
    picture="digits",
    measure=_digits_measure,
    first_class=0,
)


def class_names(data: DataConfig) -> list[str]:
    """Each class's name, as the views label it (the confusion matrix, its figure)."""
    first = of_data(data).first_class
    return [str(first + c) for c in range(data.n_classes)]


def of(config: Config) -> Problem:
    """The problem ``config`` poses."""
    return of_data(config.data)


def of_data(data: DataConfig) -> Problem:
    """The problem a data family poses: a classification for a 2-D one or the digits, else a
    regression."""
    if data.family == digits.FAMILY:
        return DIGITS
    return CLASSIFICATION if data.family in planar.FAMILIES else REGRESSION


def scenario(config: Config, method: str | None = None) -> str:
    """The scenario, as every view names it beside the method: a 2-D preset's
    ("class-incremental"), or for a regression whether ``method`` (default: the config's) is
    told each input's task ("task id given"; "" when it is not)."""
    if config.data.scenario:
        return f"{config.data.scenario}-incremental"
    return methods.info(method or config.method.name).scenario
