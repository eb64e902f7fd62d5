"""Data families: a sequence of 1-D regression tasks on disjoint x-ranges.

Each task carries its noisy train and test points and the noiseless curve it was drawn
from, so a plot can show what the model should have kept. Everything is drawn from one
seeded numpy generator: the same DataConfig always gives the same tasks.

FAMILIES here is the one list of data families; config validates ``family`` against it.
Drawing data needs no torch (seed_data stacks the tasks into tensors for a run).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.polynomial import Polynomial

from cftui.train import expr

if TYPE_CHECKING:
    from cftui.train.config import DataConfig

CURVE_POINTS = 200  # samples of each task's noiseless curve, for drawing
Curve = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class Task:
    name: str  # what generated it, e.g. "0.4 - 0.8x² - 0.2x³" or "rbf part 1/2"
    x_range: tuple[float, float]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    curve_x: np.ndarray  # the noiseless function on x_range, for drawing
    curve_y: np.ndarray

    def about(self) -> dict:
        """Where it lies, for a result file."""
        return {"x_range": list(self.x_range)}


def task_ranges(data: DataConfig) -> list[tuple[float, float]]:
    """Each task's x-interval: the explicit ``ranges``, or ``x_range`` cut into equal parts."""
    if data.ranges:
        return list(data.ranges)
    edges = np.linspace(*data.x_range, data.n_tasks + 1)
    return [(float(a), float(b)) for a, b in itertools.pairwise(edges)]


def make_tasks(data: DataConfig) -> list[Task]:
    """Draw every task of ``data`` (train/test split, noise) from its seed. With
    ``test_points = "grid"`` the held-out points are set aside all the same, so both choices
    train on the very same points and differ only in what the test MSE is measured on."""
    rng = np.random.default_rng(data.seed)
    ranges = task_ranges(data)
    curves, names = FAMILIES[data.family](data, ranges, rng)
    n_test = round(data.points_per_task * data.test_fraction)
    tasks = []
    for (lo, hi), curve, name in zip(ranges, curves, names, strict=True):
        x = rng.uniform(lo, hi, data.points_per_task)
        y = curve(x) + data.noise * rng.standard_normal(x.shape)
        test = np.zeros(x.shape, dtype=bool)
        test[rng.choice(x.size, n_test, replace=False)] = True
        order = np.argsort(x)
        x, y, test = x[order], y[order], test[order]
        x_test, y_test = x[test], y[test]
        if data.test_points == "grid":  # the same points train; the test set is exact
            x_test = np.linspace(lo, hi, n_test)
            y_test = curve(x_test)
        curve_x = np.linspace(lo, hi, CURVE_POINTS)
        tasks.append(
            Task(name, (lo, hi), x[~test], y[~test], x_test, y_test, curve_x, curve(curve_x))
        )
    return tasks


def _polynomials(data: DataConfig, ranges: list, rng: np.random.Generator):
    """Given coefficients (c0 + c1 x + ...), or a seeded random cubic per task."""
    if data.coefficients:
        polys = [Polynomial(c) for c in data.coefficients]
    else:
        polys = [Polynomial(rng.standard_normal(4), domain=r).convert() for r in ranges]
    return polys, [_formula(p.coef) for p in polys]


def _formula(coefficients: np.ndarray) -> str:
    """'0.4 - 0.8x² - 0.2x³' for [0.4, 0, -0.8, -0.2]."""
    terms = [(c, _power(i)) for i, c in enumerate(coefficients) if c != 0]
    text = " ".join(f"{'-' if c < 0 else '+'} {abs(c):.3g}{power}" for c, power in terms)
    return (text[2:] if text.startswith("+") else "-" + text[2:]) if terms else "0"


def _power(i: int) -> str:
    return ("", "x", "x²", "x³")[i] if i < 4 else f"x^{i}"


def _expressions(data: DataConfig, ranges: list, rng: np.random.Generator):
    return [expr.parse(text) for text in data.functions], list(data.functions)


def _basis_sum(basis: Callable[[np.ndarray, int, DataConfig], np.ndarray]):
    """One random weighted sum of basis functions over x_range, scaled to unit spread."""

    def family(data: DataConfig, ranges: list, rng: np.random.Generator):
        weights = rng.standard_normal(data.n_basis)
        grid = np.linspace(*data.x_range, 2048)
        raw = basis(grid, data.n_basis, data) @ weights
        shift, scale = raw.mean(), raw.std() or 1.0

        def curve(x: np.ndarray) -> np.ndarray:
            return (basis(np.asarray(x, dtype=float), data.n_basis, data) @ weights - shift) / scale

        n = data.n_tasks
        return [curve] * n, [f"{data.family} part {k + 1}/{n}" for k in range(n)]

    return family


def _local(x: np.ndarray, data: DataConfig) -> np.ndarray:
    """x mapped to [0, 1] across x_range, as a column against the basis index."""
    lo, hi = data.x_range
    return ((x - lo) / (hi - lo))[:, None]


def _rbf(x: np.ndarray, k: int, data: DataConfig) -> np.ndarray:
    centres = np.linspace(0.0, 1.0, k)
    return np.exp(-0.5 * ((_local(x, data) - centres) * k) ** 2)


def _sigmoid(x: np.ndarray, k: int, data: DataConfig) -> np.ndarray:
    centres = np.linspace(0.0, 1.0, k)
    with np.errstate(over="ignore"):  # k > 177 overflows exp to inf: 1 / (1 + inf) is the 0 meant
        return 1.0 / (1.0 + np.exp(-(_local(x, data) - centres) * 4.0 * k))


def _fourier(x: np.ndarray, k: int, data: DataConfig) -> np.ndarray:
    """sin, cos of the 1st harmonic of x_range, then of the 2nd, ...: k columns in all.
    Higher harmonics weigh less so the curve stays learnable."""
    harmonic = np.arange(k) // 2 + 1
    phase = 2.0 * np.pi * _local(x, data) * harmonic + np.where(np.arange(k) % 2, np.pi / 2, 0)
    return np.sin(phase) / harmonic


FAMILIES = {  # a [data] family -> the curves (and names) of its tasks
    "polynomial": _polynomials,
    "rbf": _basis_sum(_rbf),
    "sigmoid": _basis_sum(_sigmoid),
    "fourier": _basis_sum(_fourier),
    "expr": _expressions,
}
