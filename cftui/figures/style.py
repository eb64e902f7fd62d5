"""How the figures look: each task in the app's colour (cftui.draw.task_style, by name)
and with its own marker and line style, as without colour in the app; a light style for
paper and a dark one for slides; text large enough to read when projected.

The app's 16-colour names become the Okabe–Ito palette's nearest colours, which stay
distinct for the common forms of colour blindness (yellow becomes its orange, readable on
white).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
from matplotlib.colors import to_rgb

from cftui.draw import task_style

OKABE_ITO = {  # the app's colour names -> Okabe & Ito's colour-blind-safe palette
    "cyan": "#56B4E9",
    "magenta": "#CC79A7",
    "yellow": "#E69F00",
    "green": "#009E73",
    "blue": "#0072B2",
    "red": "#D55E00",
}
MARKERS = {"•": "o", "+": "P", "×": "X", "∘": "D", "▪": "s", "*": "*"}  # the app's glyphs
CLASS_MARKERS = ("o", "^", "s", "D", "*", "P")  # the app's ● ▲ ■ ◆ ★ ✚ (then the same, open)
BRIGHT = 0.45  # a "bright_" colour of the app: its colour this far towards white
REGION_TINT = 0.3  # a region's fill: its class's colour this much over the background
LINE_STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)))  # a loss curve per task
STYLES = ("light", "dark")
THEMES = {  # matplotlib rc settings per style
    "light": {"figure.facecolor": "white", "axes.facecolor": "white", "text.color": "#222222"},
    "dark": {"figure.facecolor": "#15171c", "axes.facecolor": "#15171c", "text.color": "#e6e6e6"},
}
FONT_PT = 11  # base text size: at the default 150 dpi, about 23 pixels a line
RC = {
    "font.size": FONT_PT,
    "axes.titlesize": FONT_PT + 1,
    "axes.labelsize": FONT_PT,
    "legend.fontsize": FONT_PT - 1,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "lines.linewidth": 1.8,
}
SAVING = {  # in force while a file is written
    "svg.hashsalt": "cftui",  # the same figure, the same SVG bytes
    "svg.fonttype": "none",  # text stays text: smaller, and editable
}


def task_color(j: int) -> str:
    return OKABE_ITO[task_style.task_color(j)]


def task_marker(j: int) -> str:
    return MARKERS[task_style.task_mark(j)]


def class_color(c: int) -> tuple[float, float, float]:
    """A class's colour: the app's name for it (task_style.class_color) in the print palette,
    its "bright_" ones lighter."""
    name = task_style.class_color(c)
    base = to_rgb(OKABE_ITO[name.removeprefix("bright_")])
    toward = BRIGHT if name.startswith("bright_") else 0.0
    return tuple(v + (1 - v) * toward for v in base)


def class_marker(c: int) -> str:
    return CLASS_MARKERS[c % len(CLASS_MARKERS)]


def region_tints(style: str, n_classes: int) -> np.ndarray:
    """``[n_classes, 3]``: the fill of each class's region, light enough (on the style's
    background) for the points of every class to stand out on it."""
    ground = np.array(to_rgb(THEMES[style]["axes.facecolor"]))
    colors = np.array([class_color(c) for c in range(n_classes)])
    return REGION_TINT * colors + (1 - REGION_TINT) * ground


def task_line(j: int) -> Any:
    return LINE_STYLES[j % len(LINE_STYLES)]


def ink(style: str) -> str:
    """The colour of text, of the fit now, and of the axes."""
    return THEMES[style]["text.color"]


def rc(style: str) -> dict[str, Any]:
    """rc settings for ``style``: matplotlib.rc_context(rc(style)) around the drawing."""
    color = ink(style)
    edges = {key: color for key in ("axes.edgecolor", "axes.labelcolor", "xtick.color")}
    edges |= {"ytick.color": color, "grid.color": color, "legend.labelcolor": color}
    legend = {"legend.facecolor": THEMES[style]["axes.facecolor"], "legend.edgecolor": color}
    return (
        RC
        | THEMES[style]
        | edges
        | legend
        | {"savefig.facecolor": THEMES[style]["figure.facecolor"]}
    )


@contextlib.contextmanager
def small_sizes_allowed() -> Iterator[None]:
    """Where a figure is laid out and drawn. At a --size too small for its labels,
    matplotlib's constrained layout gives up with a UserWarning and draws the figure as it
    stands: at the size that was asked for, which is the result; the warning would be noise
    (with a path into matplotlib) on the user's screen."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "constrained_layout not applied", UserWarning)
        yield
