"""How a recording writes a scene's tasks and its picture (cftui.results.recording reads
them): a 1-D regression's points and curves, its fit rounded to FitScale's levels; from
format version 3 a 2-D classification's points and classes, and the class the model
predicts in every cell of the plane, run-length coded (ClassRuns).

A 48x48 plane is 2304 classes a frame; its regions are a few blobs, so a row-major run
of one class is long: [[class, count], ...] takes some 100 pairs where the cells take 2304
numbers, and a default `blobs-class` recording stays far under 2 MB gzipped. The runs are
exact: a replay draws the very classes the live view drew. From version 4 a digits run's
shown test images (their pixels as whole counts of ink, exact) and the class answered to
each, as is (Answers): some 80 numbers a frame. Imports no torch.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cftui.train import problem
from cftui.train.digits import LEVELS, PIXELS
from cftui.train.planar import PlaneTask
from cftui.train.snapshot import Scene
from cftui.train.tasks import Task

FIT_LEVELS = 2000  # steps of fit rounding across the data's span; a 100-row plot has 400


def floats(values: Any) -> list:
    """Numbers for JSON: exact floats, with nan and inf as the strings "nan", "inf"."""
    return [v if math.isfinite(v) else str(v) for v in np.asarray(values, float).tolist()]


@dataclass(frozen=True)
class FitScale:
    """The fit and the ghosts as integers: value = origin + q * step."""

    origin: float
    step: float

    @classmethod
    def of(cls, tasks: Any) -> FitScale:
        ys = np.concatenate([np.concatenate([t.y_train, t.curve_y]) for t in tasks])
        lo, hi = float(ys.min()), float(ys.max())
        return cls((lo + hi) / 2, (hi - lo or 1.0) / FIT_LEVELS)

    def encode(self, values: np.ndarray) -> list:
        q = np.round((np.asarray(values, float) - self.origin) / self.step)
        return [int(v) if math.isfinite(v) else str(v) for v in q.tolist()]

    def decode(self, q: list) -> np.ndarray:
        return self.origin + np.asarray(q, dtype=float) * self.step

    def rounded(self, values: np.ndarray) -> np.ndarray:
        """``values`` as a recording holds them (the same numbers, read back or not)."""
        return self.decode(self.encode(values))


class ClassRuns:
    """The picture's codec for a plane of ``cells`` cells (recording.FitScale's for a fit)."""

    def __init__(self, cells: int) -> None:
        self.cells = cells

    @classmethod
    def of(cls, grid: np.ndarray) -> ClassRuns:
        return cls(np.asarray(grid).shape[1] ** 2)

    @staticmethod
    def encode(classes: np.ndarray) -> list:
        """[[class, count], ...] of a row-major grid of class indices."""
        classes = np.asarray(classes).ravel()
        starts = np.flatnonzero(np.r_[True, classes[1:] != classes[:-1]])
        counts = np.diff(np.r_[starts, len(classes)])
        return [[int(c), int(n)] for c, n in zip(classes[starts], counts, strict=True)]

    @staticmethod
    def decode(runs: list) -> np.ndarray:
        classes, counts = zip(*runs, strict=True) if runs else ((), ())
        return np.repeat(np.asarray(classes, dtype=np.int64), np.asarray(counts, dtype=np.int64))


def plane_task_to_dict(task: PlaneTask) -> dict[str, Any]:
    return {
        "name": task.name,
        "classes": list(task.classes),
        **{name: np.asarray(getattr(task, name), float).tolist() for name in ("x_train", "x_test")},
        **{
            name: np.asarray(getattr(task, name)).astype(int).tolist()
            for name in ("y_train", "y_test")
        },
    }


def plane_task_from_dict(raw: dict[str, Any]) -> PlaneTask:
    return PlaneTask(
        str(raw["name"]),
        tuple(int(c) for c in raw["classes"]),
        np.asarray(raw["x_train"], dtype=float).reshape(-1, 2),
        np.asarray(raw["y_train"], dtype=np.int64),
        np.asarray(raw["x_test"], dtype=float).reshape(-1, 2),
        np.asarray(raw["y_test"], dtype=np.int64),
    )


class Answers:
    """The picture's codec for the digits: the class answered to each shown image, as is."""

    @staticmethod
    def encode(classes: np.ndarray) -> list:
        return np.asarray(classes).astype(int).tolist()

    @staticmethod
    def decode(answers: list) -> np.ndarray:
        return np.asarray(answers, dtype=np.int64)


def shown_digits(scene: Scene) -> list[dict[str, Any]]:
    """A digits scene's tasks as a header holds them: per task its shown test images only
    (those its grid names: task, then index), each pixel as its count of ink 0..LEVELS."""
    task_of, index = np.asarray(scene.grid)
    out = []
    for k, task in enumerate(scene.tasks):
        shown = 1 + int(index[task_of == k].max(initial=-1))
        counts = np.rint(np.asarray(task.x_test[:shown], float) * LEVELS).astype(int)
        out.append(
            {
                "name": task.name,
                "classes": list(task.classes),
                "pixels": counts.tolist(),
                "labels": np.asarray(task.y_test[:shown]).astype(int).tolist(),
            }
        )
    return out


def digits_task_from_dict(raw: dict[str, Any]) -> PlaneTask:
    """A digits task read back: its shown images as its test images (float32, as the set's
    own pixels), and no training images (a replay draws none)."""
    pixels = np.asarray(raw["pixels"], dtype=np.float32).reshape(-1, PIXELS) / np.float32(LEVELS)
    return PlaneTask(
        str(raw["name"]),
        tuple(int(c) for c in raw["classes"]),
        np.zeros((0, PIXELS), dtype=np.float32),
        np.zeros(0, dtype=np.int64),
        pixels,
        np.asarray(raw["labels"], dtype=np.int64),
    )


@dataclass(frozen=True)
class Held:
    """How a scene of a picture is held: its codec, its tasks both ways, its grid's type."""

    codec: Any  # scene -> the codec of its fit and ghosts
    tasks: Any  # scene -> its tasks as the header holds them
    task_from_dict: Any  # a header's task -> the task a replay draws
    grid_type: type  # the header's grid's numbers: a fit's x or a plane's cells, or the
    # digits' (task, index)


def task_to_dict(task: Task) -> dict[str, Any]:
    out = {}
    for field in dataclasses.fields(Task):
        value = getattr(task, field.name)
        out[field.name] = value if isinstance(value, str) else floats(value)
    return out


def task_from_dict(raw: dict[str, Any]) -> Task:
    names = [f.name for f in dataclasses.fields(Task) if f.name not in ("name", "x_range")]
    arrays = {name: np.asarray(raw[name], dtype=float) for name in names}
    return Task(str(raw["name"]), tuple(raw["x_range"]), **arrays)


HELD = {  # by the picture a scene's problem draws
    "fit": Held(
        lambda scene: FitScale.of(scene.tasks),
        lambda scene: [task_to_dict(t) for t in scene.tasks],
        task_from_dict,
        float,
    ),
    "regions": Held(
        lambda scene: ClassRuns.of(scene.grid),
        lambda scene: [plane_task_to_dict(t) for t in scene.tasks],
        plane_task_from_dict,
        float,
    ),
    "digits": Held(lambda scene: Answers(), shown_digits, digits_task_from_dict, int),
}


def held(scene: Scene) -> Held:
    """How ``scene`` is held: by the picture its problem draws."""
    return HELD[problem.of(scene.config).picture]
