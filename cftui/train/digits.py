"""Real handwriting: scikit-learn's optical digits (1,797 images of 8x8 pixels, digits 0-9),
split into tasks by the same three scenarios as the 2-D families (planar.py), so what the
toys show can be checked on the data the field's claims are made on (split and permuted
MNIST, van de Ven & Tolias 2019), in miniature: it needs no download and trains in seconds.

- ``class`` and ``task``: the digits in consecutive groups, a group per task (0/1, 2/3, ...);
- ``domain``: every task has all ten digits, task k's pixels in a fixed order of its own
  (task 1 as drawn; van de Ven's permuted MNIST). Not the odd/even split: permuted digits
  keep the domain scenario's meaning here (every task has every class, a label means the
  same in all of them), so the confusion matrix, the active classes and the methods carry
  over unchanged.

Each task is a PlaneTask whose points are images, 64 pixels in [0, 1]. The split is
stratified and seeded: from each digit, ``test_fraction`` of its images are held out, chosen
by ``seed``. scikit-learn comes with the extra ``cftui[digits]``; its data file is read
only when the images are, and scikit-learn itself is never imported.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cftui.train import planar
from cftui.train.planar import PlaneTask

if TYPE_CHECKING:
    from cftui.train.config import DataConfig

FAMILY = "digits"
PIXELS = 64  # 8 x 8, row by row
SIDE = 8
LEVELS = 16  # a pixel's ink is a count 0..16 in the set's file: pixel = count / LEVELS
N_CLASSES = 10  # the digits 0-9, class c being digit c
EXTRA = "needs scikit-learn: pip install 'cftui[digits]'"
DATA_FILE = "datasets/data/digits.csv.gz"  # inside the sklearn package


def missing_extra() -> str | None:
    """Why the images cannot be read here (scikit-learn is not installed), or None; imports
    nothing."""
    try:
        found = importlib.util.find_spec("sklearn") is not None
    except ImportError:  # a finder that refuses it, as on a machine without it
        found = False
    return None if found else EXTRA


@functools.cache
def images() -> tuple[np.ndarray, np.ndarray]:
    """Every image, ``[1797, 64]`` float32 in [0, 1], and its digit; read once a process, from
    the file scikit-learn's ``load_digits`` reads (its rows: 64 pixels 0..16, then the digit).
    Read directly, not through sklearn.datasets: importing scikit-learn takes about a second
    and brings scipy, for a 60 KB file."""
    spec = importlib.util.find_spec("sklearn")
    folder = Path(next(iter(spec.submodule_search_locations))) if spec else None
    if folder is None or not (folder / DATA_FILE).is_file():
        raise FileNotFoundError(EXTRA)
    with gzip.open(folder / DATA_FILE, "rt") as rows:
        table = np.loadtxt(rows, delimiter=",", dtype=np.float32)
    pixels = table[:, :-1] / float(LEVELS)
    pixels.flags.writeable = False
    return pixels, table[:, -1].astype(np.int64)


def make_tasks(data: DataConfig) -> list[PlaneTask]:
    """Every task of ``data``: its digits' images, split per digit into train and test by
    ``seed``; in the domain scenario each task's pixels in its own fixed order."""
    rng = np.random.default_rng(data.seed)
    pixels, digits = images()
    test = np.zeros(len(digits), dtype=bool)
    for c in range(N_CLASSES):  # stratified: every digit loses the same share to the test
        mine = np.flatnonzero(digits == c)
        test[rng.choice(mine, max(1, round(len(mine) * data.test_fraction)), replace=False)] = True
    orders = permutations(data, rng)
    tasks = []
    for k, classes in enumerate(planar.task_classes(data)):
        chosen = np.isin(digits, classes)
        x = pixels[:, orders[k]]
        train, held = chosen & ~test, chosen & test
        tasks.append(
            PlaneTask(
                _name(data, k, classes), classes, x[train], digits[train], x[held], digits[held]
            )
        )
    return tasks


def permutations(data: DataConfig, rng: np.random.Generator) -> list[np.ndarray]:
    """The pixel order of each task: as drawn, except in the domain scenario, where every task
    after the first has a random one of its own (drawn from the data seed)."""
    same = np.arange(PIXELS)
    if data.scenario != "domain":
        return [same] * data.n_tasks
    return [same] + [rng.permutation(PIXELS) for _ in range(data.n_tasks - 1)]


def _name(data: DataConfig, k: int, classes: tuple[int, ...]) -> str:
    if data.scenario == "domain":
        return f"pixels permuted ({k + 1})" if k else "digits as drawn"
    return (
        "digit " + str(classes[0]) if len(classes) == 1 else "digits " + "/".join(map(str, classes))
    )
