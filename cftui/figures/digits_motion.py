"""What moves in a digits run's animation (`cftui figure --gif`): the confusion matrix with
each class's mean logit, and the accuracy matrix filling in a row per finished task, so the
GIF shows class-incremental forgetting happen: each old digit's row slides into the newest
classes' columns as their bars grow. Each is built once with what stays still (the ticks,
the bars' scale over the whole run); update(snap) sets a frame's cells, texts and bars.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.axes import Axes

from cftui.figures.confusion import (
    LOGIT_COLOR,
    UNSEEN_COLOR,
    cell_label,
    draw_confusion,
    row_shares,
)
from cftui.figures.panels import MATRIX_COLORS
from cftui.figures.planes import ACCURACY_NORM
from cftui.train import confusion, problem
from cftui.train.snapshot import Snapshot

DARK_FROM = 0.55  # an accuracy cell this bright or brighter is written in black (heatmap's)
BARS_ROOM = 1.15  # the bars' axis: the run's largest mean logit, and this much room


class ConfusionMotion:
    """The test's answers by (task, class) row, a row of a task not trained yet empty;
    under it each class's mean logit, a class not seen yet grey and flat."""

    def __init__(self, ax: Axes, snaps: list[Snapshot], style: str) -> None:
        self.data = data = snaps[-1].scene.config.data
        self.rows = confusion.rows_of(data)
        classes = problem.class_names(data)
        labels = [f"task {j + 1}: {classes[c]}" for j, c in self.rows]
        blank = np.zeros((len(self.rows), data.n_classes))
        self.bars_ax = draw_confusion(ax, blank, blank[0], labels, classes)
        self.image, self.texts, self.bars = ax.images[0], list(ax.texts), self.bars_ax.patches
        logits = [s.confusion.logits for s in snaps if s.confusion is not None]
        finite = np.concatenate([np.ravel(v) for v in logits] + [np.zeros(1)])
        finite = finite[np.isfinite(finite)]
        self.bars_ax.set_ylim(BARS_ROOM * min(finite.min(), 0), BARS_ROOM * max(finite.max(), 0))
        self.moving = [self.image, *self.texts, *self.bars]

    def update(self, snap: Snapshot) -> None:
        counts = np.zeros((len(self.rows), self.data.n_classes))
        logits = np.zeros(self.data.n_classes)
        seen = confusion.seen_classes(self.data, snap.task)
        if snap.confusion is not None:
            trained = np.array([j <= snap.task for j, _ in self.rows])
            counts = np.where(trained[:, None], snap.confusion.counts, 0)
            logits = np.nan_to_num(np.where(seen, snap.confusion.logits, 0.0), posinf=0, neginf=0)
        shares = row_shares(counts)
        self.image.set_data(100 * shares)
        for text, share in zip(self.texts, shares.ravel(), strict=True):
            label, color = cell_label(share)
            text.set_text(label)
            text.set_color(color)
        for bar, height, shown in zip(self.bars, logits, seen, strict=True):
            bar.set_height(height)
            bar.set_color(LOGIT_COLOR if shown else UNSEEN_COLOR)


class AccuracyMatrixMotion:
    """The accuracy matrix: row i (after task i) appears once task i is done, each of its
    trained cells in the colour of its accuracy, written in percent."""

    def __init__(self, ax: Axes, snaps: list[Snapshot], style: str) -> None:
        n = self.n = len(snaps[-1].scene.tasks)
        colors = matplotlib.colormaps[MATRIX_COLORS].with_extremes(bad=(0, 0, 0, 0))
        # every cell masked, and nan beneath (masked_all's cells are uninitialised memory,
        # which matplotlib colours before it masks them: an overflow warning on stderr)
        empty = np.ma.masked_invalid(np.full((n, n), np.nan))
        self.image = ax.imshow(empty, cmap=colors, norm=ACCURACY_NORM, aspect="auto")
        self.texts = [
            ax.text(j, i, "", ha="center", va="center", fontweight="bold")
            for i in range(n)
            for j in range(n)
        ]
        ax.set_xticks(range(n), [f"task {j + 1}" for j in range(n)])
        ax.set_yticks(range(n), [f"after task {i + 1}" for i in range(n)])
        ax.set(xlabel="test accuracy on", title="test accuracy after each task")
        ax.grid(False)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        self.moving = [self.image, *self.texts]

    def update(self, snap: Snapshot) -> None:
        cells = np.full((self.n, self.n), np.nan)
        for i, row in enumerate(snap.accuracy_matrix):
            cells[i, : i + 1] = np.asarray(row, dtype=float)[: i + 1]
        self.image.set_data(np.ma.masked_invalid(cells))
        for text, value in zip(self.texts, cells.ravel(), strict=True):
            finite = bool(np.isfinite(value))
            text.set_text(f"{100 * value:.0f} %" if finite else "")
            text.set_color("black" if finite and ACCURACY_NORM(value) > DARK_FROM else "white")
