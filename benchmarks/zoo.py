"""A seeded zoo of presets nobody tuned a method on: what users write, drawn at random.

The shipped presets are the ones every default was chosen on; a user's first own preset is
not one of them. This module draws presets across what a user may write (every 1-D family
and hand-written expressions, 2-5 tasks on touching or disjoint ranges, noise 0.01-0.2,
hidden widths 32-256 in 2-3 layers, sigmoid/tanh/relu, full batch or minibatches, 100-400
epochs, Adam lr 1e-3..1e-2; and 2-D classification in each scenario), as plain preset
dicts that cftui.train.config.from_dict validates like a TOML file. Nothing is trained here.

Whether a drawn preset is *kept* is decided on naive's own run (benchmarks/zoo_run.py,
tests/test_zoo.py), by :func:`kept`:
- learnable: right after training task i, naive's test MSE on it is at most the noise floor
  (noise², the error of the true curve on noisy test points) plus LEARNED of the variance of
  that task's noise-free curve over its range (R² >= 0.8 of the signal), for every task,
  median over seeds; a
  classification's accuracy on the task just trained is at least LEARNED_ACCURACY;
- forgets: naive's final task-1 MSE is at least FORGETS times its MSE right after task 1
  (a classification: task 1's accuracy fell by at least FORGETS_ACCURACY).
A preset that fails either teaches nothing about forgetting: it is dropped and counted.

The same seed draws the same zoo, so tests import it (by path: benchmarks/ is no package)
and a slice of it runs in the test suite.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np

FAMILIES = ("polynomial", "rbf", "sigmoid", "fourier", "expr")
EXPRESSIONS = (  # what a user types: smooth, bumpy, kinked, growing
    "sin(3*x)",
    "x**2 - 1",
    "exp(-x**2)",
    "cos(2*x) + 0.5*x",
    "tanh(2*x)",
    "abs(x) - 1",
    "0.3*x**3 - x",
    "sin(x) * cos(2*x)",
    "sqrt(abs(x)) - 0.5",
    "1 / (1 + x**2)",
)
PLANE = {"blobs": 6, "circles": 4, "spirals": 4, "moons": 2, "xor": 2}  # family -> classes
SCENARIOS = ("class", "domain", "task")
STEPS_PER_PRESET = 1000  # optimizer steps over all tasks, at most where 100 epochs allow: the
# zoo's time budget per preset (13 methods x 4 seeds on a shared 2-core machine)
REGRESSION_LR = (3e-3, 1e-2)  # Adam's lr: below 3e-3 naive fitted almost no drawn preset in
# the epochs the budget allows (5 of 6 dropped as not learnt)
FIT = 2.5  # lr x steps per task Adam gets, at least where 400 epochs and the budget allow:
# fewer epochs than that leave the tasks unfit (and the preset dropped)
LEARNED = 0.25  # a task is learnt when its MSE right after training is <= this x its variance
FORGETS = 3.0  # naive forgets when task 1's final MSE is >= this x its MSE after task 1
TASK_LR = (3e-3, 1e-2)  # a task-incremental preset's Adam lr: below 3e-3 (and 100-170 epochs)
# naive forgot on none of 4 drawn (a head per task keeps most of an old task's answer)
TASK_EPOCHS = 200  # and its epochs at least: the later tasks must move the shared body
LEARNED_ACCURACY = 0.8  # a classification task is learnt at this accuracy after training it
FORGETS_ACCURACY = 0.15  # and forgotten when task 1 lost this much accuracy by the end


def regression(rng: np.random.Generator, family: str, name: str) -> dict:
    """One 1-D regression preset of ``family``, every other choice drawn from ``rng``."""
    n_tasks = int(rng.integers(2, 6))
    width = int(rng.choice([32, 64, 100, 128, 150, 256]))
    depth = int(rng.integers(2, 4))
    batch = int(rng.choice([0, 0, 16, 32]))
    points = 100 if batch == 0 else 50  # minibatches take more steps: fewer points
    data = {
        "family": family,
        "n_tasks": n_tasks,
        "x_range": [-3.0, 3.0],
        "points_per_task": points,
        "noise": round(_log_uniform(rng, 0.01, 0.2), 4),
        "seed": 0,
    }
    if rng.random() < 0.5:  # disjoint: a gap between neighbouring tasks
        edges = np.linspace(-3.0, 3.0, n_tasks + 1)
        gap = 0.15 * (edges[1] - edges[0])
        pairs = itertools.pairwise(edges)
        data["ranges"] = [[round(a + gap, 3), round(b - gap, 3)] for a, b in pairs]
    if family in ("rbf", "sigmoid", "fourier"):
        data["n_basis"] = int(rng.integers(2 * n_tasks, 4 * n_tasks + 1))
    if family == "expr":
        data["functions"] = [str(f) for f in rng.choice(EXPRESSIONS, n_tasks, replace=False)]
    lr = _log_uniform(rng, *REGRESSION_LR)
    steps_per_epoch = _steps_per_epoch(points, batch)
    epochs = _epochs(rng, n_tasks, steps_per_epoch, math.ceil(FIT / (lr * steps_per_epoch)))
    return {
        "name": name,
        "data": data,
        "model": {
            "layers": [1, *([width] * depth), 1],
            "activation": str(rng.choice(["sigmoid", "tanh", "relu"])),
        },
        "train": _train(lr, epochs, batch),
        "method": {"name": "naive"},
    }


def classification(rng: np.random.Generator, family: str, scenario: str, name: str) -> dict:
    """One 2-D classification preset of ``family`` in ``scenario``."""
    classes = PLANE[family]
    n_tasks = max(2, classes // 2) if scenario != "domain" else int(rng.integers(2, 4))
    width = int(rng.choice([64, 100, 128]))
    batch = 0  # full batch: a classification's 160 training points make 5 minibatches
    data = {
        "family": family,
        "scenario": scenario,
        "n_classes": classes,
        "n_tasks": n_tasks,
        "points_per_task": 200,
        "noise": round(float(rng.uniform(0.05, 0.3 if family != "blobs" else 0.5)), 3),
        "seed": 0,
    }
    if scenario == "domain":
        data["rotation"] = float(rng.choice([60.0, 90.0, 120.0]))
    task = scenario == "task"
    epochs = _epochs(rng, n_tasks, _steps_per_epoch(200, batch), TASK_EPOCHS if task else 100)
    lr = _log_uniform(rng, *(TASK_LR if task else (1e-3, 1e-2)))
    return {
        "name": name,
        "data": data,
        "model": {"layers": [2, width, width, classes], "activation": "relu"},
        "train": _train(lr, epochs, batch),
        "method": {"name": "naive"},
    }


def _steps_per_epoch(train_points: int, batch: int) -> int:
    return 1 if batch == 0 else math.ceil(train_points * 0.8 / batch)


def _epochs(rng: np.random.Generator, n_tasks: int, steps_per_epoch: int, needed: int = 100) -> int:
    """100-400 epochs, at least ``needed`` where the budget allows, and fewer where
    minibatches would take the preset over its step budget (never under 100)."""
    most = max(100, min(400, STEPS_PER_PRESET // (n_tasks * steps_per_epoch)))
    return int(rng.integers(min(max(100, needed), most), most + 1))


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def _train(lr: float, epochs: int, batch: int) -> dict:
    return {"optimizer": "adam", "lr": round(lr, 5), "epochs": epochs, "batch_size": batch}


def regressions(seed: int = 0) -> Iterator[dict]:
    """Candidate regression presets, cycling through every family. Same seed, same zoo."""
    rng = np.random.default_rng([seed, 0])
    for i in itertools.count():
        family = FAMILIES[i % len(FAMILIES)]
        yield regression(rng, family, f"zoo-r{i:02d}-{family}")


def classifications(seed: int = 0) -> Iterator[dict]:
    """Candidate classification presets, cycling through every family and scenario."""
    rng = np.random.default_rng([seed, 1])
    pairs = [  # a two-class family split for the task scenario leaves a task of one class
        (f, s) for s in SCENARIOS for f in PLANE if s != "task" or PLANE[f] > 2
    ]
    for i in itertools.count():
        family, scenario = pairs[i % len(pairs)]
        yield classification(rng, family, scenario, f"zoo-c{i:02d}-{family}-{scenario}")


def kept(
    loss_matrices: Sequence,
    accuracy_matrices: Sequence | None,
    variances: Sequence | None = None,
    floor: float = 0.0,
) -> str:
    """'' when naive's seeds show the preset learnable and forgetting, else why it is
    dropped. ``loss_matrices``: naive's per seed (L[i][j]); ``variances``: per seed, each
    task's noise-free curve's variance over its range; ``floor``: the test MSE a perfect fit
    still has (noise² on held-out noisy points); ``accuracy_matrices``: a classification's,
    else None."""
    if accuracy_matrices is not None:
        acc = np.asarray(accuracy_matrices)  # seeds x tasks x tasks
        diagonal = np.median(np.diagonal(acc, axis1=1, axis2=2), axis=0)
        if diagonal.min() < LEARNED_ACCURACY:
            return f"not learnt: accuracy {diagonal.min():.2f} on a task just trained"
        drop = np.median(acc[:, 0, 0] - acc[:, -1, 0])
        return "" if drop >= FORGETS_ACCURACY else f"no forgetting: task 1 lost {drop:.2f}"
    loss = np.asarray(loss_matrices)
    excess = np.diagonal(loss, axis1=1, axis2=2) - floor
    share = np.median(excess / np.asarray(variances), axis=0)
    if share.max() > LEARNED:
        worst = f"noise² + {share.max():.2f} x its variance"
        return f"not learnt: a task's MSE after training it is {worst}"
    growth = np.median(loss[:, -1, 0] / loss[:, 0, 0])
    return "" if growth >= FORGETS else f"no forgetting: task 1 grew {growth:.1f}x"
