"""Where a figure's panels go: small multiples, at most four a row, on shared axes (the app's
rule: a height in one panel means what it means in the next), and the legend under them. The
1-D and the 2-D figures lay their panels out with these."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure


def layout(n: int) -> tuple[int, int]:
    """Rows and columns for ``n`` small multiples: at most four a row."""
    cols = min(n, 4)
    return math.ceil(n / cols), cols


def grid(fig: Figure, n_runs: int, across: int = 1) -> np.ndarray:
    """Axes for every run (a row of ``across`` each for one run), sharing x and y."""
    rows, cols = layout(n_runs) if n_runs > 1 else (1, across)
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
    for ax in axes[n_runs if n_runs > 1 else across :]:
        ax.set_visible(False)
    return axes


def legend_below(fig: Figure, ax, handles=None, labels=None, most: int = 8) -> None:
    """The legend of ``ax`` (or the ``handles`` and ``labels`` given) under the panels, where
    it hides no point and no curve, at ``most`` entries a row."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), most))
