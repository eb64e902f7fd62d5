"""Why class-incremental learning forgets, as a figure panel: a confusion matrix (each row a
task's class, the share of its test points each class answered) with each class's mean
logit as a bar under its column, on one matplotlib Axes.

Pure: the numbers in (a snapshot's cftui.train.confusion.Confusion, or any counts and
logits), the drawing out, no torch and no Textual. In blobs-class with EWC the rows of task
1 go dark in task 3's columns and task 3's bars stand tallest; with replay the diagonal
stays dark and the bars level, as the app's `x` panel shows. The 2-D figure places it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

MATRIX_CMAP = "Blues"  # share of a row: white 0 % to dark 100 %
DARK_TEXT_FROM = 0.5  # a cell this dark or darker is labelled in white
LOGIT_COLOR = "#0072B2"  # Okabe–Ito blue (figures.style)
UNSEEN_COLOR = "#bbbbbb"  # a class no task has shown yet: no bar in the scale


def draw_confusion(
    ax: Axes,
    counts: np.ndarray,
    logits: np.ndarray,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    seen: Sequence[bool] | None = None,
    title: str = "answered as (% of each row)",
) -> Axes:
    """Draw ``counts`` ``[R, C]`` as row shares in % on ``ax`` (each cell labelled with its
    whole percent, "·" for none), and under it, on an axes of its own sharing the columns,
    ``logits`` ``[C]`` as bars; ``seen`` (default: all) greys the classes no task showed
    yet. Returns the bars' axes."""
    shares = row_shares(counts)
    n_rows, n_columns = shares.shape
    ax.imshow(100 * shares, cmap=MATRIX_CMAP, vmin=0, vmax=100, aspect="auto")
    for (r, c), share in np.ndenumerate(shares):
        text, color = cell_label(share)
        ax.text(c, r, text, ha="center", va="center", color=color, fontsize="small")
    ax.set_xticks(range(n_columns), column_labels)
    ax.set_yticks(range(n_rows), row_labels)
    ax.xaxis.set_ticks_position("top")
    ax.set_title(title)
    ax.set_ylabel("true class")
    ax.grid(False)  # the cells are the grid
    bars = ax.inset_axes((0.0, -0.32, 1.0, 0.22), sharex=ax)
    seen = np.ones(n_columns, bool) if seen is None else np.asarray(seen, bool)
    colors = [LOGIT_COLOR if s else UNSEEN_COLOR for s in seen]
    bars.bar(range(n_columns), np.where(seen, logits, 0.0), color=colors, width=0.7)
    bars.axhline(0, color="black", linewidth=0.6)
    bars.set_ylabel("mean logit", rotation=0, ha="right", va="center")
    bars.tick_params(labelbottom=False, bottom=False)
    return bars


def row_shares(counts: np.ndarray) -> np.ndarray:
    """Each row's counts as shares of the row (a row of no point: all 0)."""
    counts = np.asarray(counts, dtype=float)
    return counts / np.maximum(counts.sum(1, keepdims=True), 1)


def cell_label(share: float) -> tuple[str, str]:
    """A cell's text (its whole percent, "·" for none) and its colour on the cell."""
    text = f"{round(100 * share)}" if share else "·"
    return text, "white" if share >= DARK_TEXT_FROM else "black"
