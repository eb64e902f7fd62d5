"""2-D classification data: points in the plane, a class per point, split into tasks by a
continual-learning scenario (van de Ven & Tolias 2019, "Three scenarios for continual
learning"):

- ``class``: the classes are cut into consecutive groups, a group per task; at test the
  model must tell every class seen so far apart, with no task id;
- ``task``: the same groups, and the task id is given: a task's points are told apart among
  its own classes only (a head per task);
- ``domain``: every task has all the classes, its inputs rotated (``rotation`` degrees more
  per task) and shifted (``shift`` more per task); no task id is needed, the labels mean
  the same in every task.

Each family draws the points of one class, by its global index, from one seeded numpy
generator, vectorised; the same DataConfig always gives the same tasks. Every class of a task
has as many points, and as many of them are held out for the test (a stratified split), so
each task's accuracy is measured on every one of its classes. Imports no torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from cftui.train.config import DataConfig

SCENARIOS = ("class", "domain", "task")


@dataclass(frozen=True, eq=False)
class PlaneTask:
    name: str  # what it holds, e.g. "classes 3–4" or "rotated 60°"
    classes: tuple[int, ...]  # the global class indices it has points of
    x_train: np.ndarray  # [N, 2]
    y_train: np.ndarray  # [N] class indices
    x_test: np.ndarray  # [M, 2]
    y_test: np.ndarray  # [M]

    def about(self) -> dict:
        """Where it lies, for a result file."""
        return {"classes": list(self.classes)}


def _blobs(rng: np.random.Generator, c: int, n: int, data: DataConfig) -> np.ndarray:
    """Class c of k: a round Gaussian blob (std ``noise``) around a point on a circle of
    radius 2, k points evenly around it."""
    angle = 2 * np.pi * c / data.n_classes
    return 2.0 * np.array([np.cos(angle), np.sin(angle)]) + data.noise * rng.standard_normal((n, 2))


def _moons(rng: np.random.Generator, c: int, n: int, data: DataConfig) -> np.ndarray:
    """The two interleaved half circles of scikit-learn's make_moons, centred."""
    t = rng.uniform(0, np.pi, n)
    arc = np.stack([np.cos(t), np.sin(t)], 1)
    points = arc if c == 0 else np.array([1.0, 0.5]) - arc
    return points - np.array([0.5, 0.25]) + data.noise * rng.standard_normal((n, 2))


def _circles(rng: np.random.Generator, c: int, n: int, data: DataConfig) -> np.ndarray:
    """Class c of k: a ring of radius 2 (c + 1) / k around the origin."""
    t = rng.uniform(0, 2 * np.pi, n)
    radius = 2.0 * (c + 1) / data.n_classes
    return radius * np.stack([np.cos(t), np.sin(t)], 1) + data.noise * rng.standard_normal((n, 2))


def _spirals(rng: np.random.Generator, c: int, n: int, data: DataConfig) -> np.ndarray:
    """Class c of k: one arm of k interleaved spirals, a turn and a half from the centre."""
    t = np.sqrt(rng.uniform(0.02, 1.0, n))  # as many points per unit of arm length
    angle = 3 * np.pi * t + 2 * np.pi * c / data.n_classes
    return 2.0 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1) + (
        data.noise * rng.standard_normal((n, 2))
    )


def _xor(rng: np.random.Generator, c: int, n: int, data: DataConfig) -> np.ndarray:
    """Class 0: the quadrants where x and y have the same sign; class 1: the other two."""
    points = rng.uniform(0.2, 2.0, (n, 2))
    sign = rng.choice([-1.0, 1.0], n)
    points *= np.stack([sign, sign if c == 0 else -sign], 1)
    return points + data.noise * rng.standard_normal((n, 2))


Draw = Callable[[np.random.Generator, int, int, "DataConfig"], np.ndarray]
FAMILIES: dict[str, tuple[Draw, int | None]] = {  # a 2-D family -> (class c's points, its
    "blobs": (_blobs, None),  # fixed number of classes; None: [data] n_classes says)
    "moons": (_moons, 2),
    "circles": (_circles, None),
    "spirals": (_spirals, None),
    "xor": (_xor, 2),
}


def task_classes(data: DataConfig) -> list[tuple[int, ...]]:
    """The classes of each task: consecutive groups as even as can be (class and task
    scenarios; the first tasks take one more when they do not divide), or all of them in
    every task (domain)."""
    everything = tuple(range(data.n_classes))
    if data.scenario == "domain":
        return [everything] * data.n_tasks
    return [tuple(int(c) for c in group) for group in np.array_split(everything, data.n_tasks)]


def make_tasks(data: DataConfig) -> list[PlaneTask]:
    """Draw every task of ``data``: per class points_per_task / (its task's classes) points,
    test_fraction of them held out; a domain task's points are then rotated and shifted."""
    rng = np.random.default_rng(data.seed)
    draw, _ = FAMILIES[data.family]
    tasks = []
    for k, classes in enumerate(task_classes(data)):
        per_class = data.points_per_task // len(classes)
        n_test = max(1, round(per_class * data.test_fraction))
        train, test = [], []
        for c in classes:
            points = draw(rng, c, per_class, data)
            train.append((points[n_test:], c))
            test.append((points[:n_test], c))
        turn, shift = _moved(data, k)
        x_train, y_train = _joined(train)
        x_test, y_test = _joined(test)
        tasks.append(
            PlaneTask(
                _name(data, k, classes),
                classes,
                x_train @ turn.T + shift,
                y_train,
                x_test @ turn.T + shift,
                y_test,
            )
        )
    return tasks


def _moved(data: DataConfig, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Task k's rotation matrix and shift: k times the per-task ones in a domain split,
    none otherwise."""
    steps = k if data.scenario == "domain" else 0
    angle = np.radians(data.rotation * steps)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return turn, np.asarray(data.shift, dtype=float) * steps


def _joined(parts: list[tuple[np.ndarray, int]]) -> tuple[np.ndarray, np.ndarray]:
    x = np.concatenate([points for points, _ in parts])
    y = np.concatenate([np.full(len(points), c, dtype=np.int64) for points, c in parts])
    return x, y


def _name(data: DataConfig, k: int, classes: tuple[int, ...]) -> str:
    if data.scenario != "domain":
        ends = dict.fromkeys((classes[0] + 1, classes[-1] + 1))
        return ("class " if len(ends) == 1 else "classes ") + "–".join(map(str, ends))
    moves = []
    if data.rotation:
        moves.append(f"rotated {data.rotation * k:g}°")
    if any(data.shift):
        moves.append(f"shifted ({data.shift[0] * k:g}, {data.shift[1] * k:g})")
    return ", ".join(moves) if k and moves else f"{data.family} as drawn"
