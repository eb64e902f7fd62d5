"""The regressor fit: data, ground truth, the current fit, and the ghost of each earlier fit.

Each task's points are in its colour (the task in training bright, the others dim), its
noiseless curve faint, the fit now as a bold line, and the fit as it was at the end of each
earlier task (its ghost) as a line of that task's colour: forgetting is seen, not inferred.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widget import Widget

from cftui.braille import Canvas
from cftui.snapshot import Snapshot
from cftui.tui.widgets import task_color
from cftui.tui.widgets.changed_rows import ChangedRows

AXIS_WIDTH = 7  # columns for the y labels


class FitPlot(ChangedRows, Widget):
    DEFAULT_CSS = "FitPlot { width: 1fr; height: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.snap: Snapshot | None = None
        self._shown: tuple | None = None

    def show(self, snap: Snapshot) -> None:
        self.snap = snap
        key = (snap.run, snap.step, snap.state, len(snap.ghosts), self.size)
        if key != self._shown and self.size.area:
            self._shown = key
            self.repaint(self._draw(snap))

    def on_resize(self) -> None:
        self._shown = None
        if self.snap is not None:
            self.show(self.snap)
        self.refresh()

    def _draw(self, snap: Snapshot) -> Text:
        tasks, grid = snap.scene.tasks, snap.scene.grid
        width, height = self.size.width - AXIS_WIDTH, self.size.height - 2
        if width < 4 or height < 2:
            return Text("too small", style="dim")
        ys = np.concatenate([np.concatenate([t.y_train, t.curve_y]) for t in tasks])
        lo, hi = float(ys.min()), float(ys.max())
        margin = 0.1 * (hi - lo or 1.0)
        y_range = (lo - margin, hi + margin)
        canvas = Canvas(width, height, (grid[0], grid[-1]), y_range)
        for task in tasks[1:]:
            canvas.vline(task.x_range[0], "bright_black")
        for task in tasks:
            canvas.curve(task.curve_x, task.curve_y, "bright_black")
        for j, task in enumerate(tasks):
            if j != snap.task:
                canvas.points(task.x_train, task.y_train, f"dim {task_color(j)}")
        for j, ghost in enumerate(snap.ghosts):
            canvas.curve(grid, ghost, task_color(j))
        current = tasks[snap.task]
        canvas.points(current.x_train, current.y_train, f"bold {task_color(snap.task)}")
        canvas.curve(grid, snap.fit, "bold")
        text = Text()
        for r, runs in enumerate(canvas.rows()):
            text.append(_y_label(r, height, y_range), style="dim")
            for chars, style in runs:
                text.append(chars, style=style or None)
            text.append("\n")
        text.append(_x_axis(tasks, grid, width), style="dim")
        text.append("\n")
        text.append(_legend(snap))
        return text


def _y_label(row: int, height: int, y_range: tuple[float, float]) -> str:
    """A value on the first, middle and last rows; blank elsewhere."""
    if row not in (0, height // 2, height - 1):
        return " " * AXIS_WIDTH
    lo, hi = y_range
    value = hi - (row + 0.5) / height * (hi - lo)
    return f"{value:>{AXIS_WIDTH - 1}.3g} "


def _x_axis(tasks, grid: np.ndarray, width: int) -> str:
    """x values at the task boundaries, placed under their columns."""
    line = [" "] * (AXIS_WIDTH + width)
    edges = sorted({t.x_range[0] for t in tasks} | {t.x_range[1] for t in tasks})
    for x in edges:
        label = f"{x:.3g}"
        col = AXIS_WIDTH + round((x - grid[0]) / (grid[-1] - grid[0]) * (width - 1))
        start = min(max(col - len(label) // 2, AXIS_WIDTH), AXIS_WIDTH + width - len(label))
        if all(c == " " for c in line[max(start - 1, 0) : start + len(label) + 1]):
            line[start : start + len(label)] = label
    return "".join(line)


def _legend(snap: Snapshot) -> Text:
    legend = Text(" " * AXIS_WIDTH)
    for j in range(len(snap.scene.tasks)):
        legend.append("● ", style=task_color(j)).append(f"task {j + 1}  ")
    legend.append("━ fit now  ", style="bold")
    for j in range(len(snap.ghosts)):
        legend.append(f"━ fit after task {j + 1}  ", style=task_color(j))
    legend.append("━ truth", style="bright_black")
    return legend
