"""The regressor fit: data, ground truth, the current fit, and the ghost of each earlier fit.

Each task's points are in its colour (the task in training bright, the others dim), its
noiseless curve faint, the fit now as a bold line, and the fit as it was at the end of each
earlier task (its ghost) as a line of that task's colour: forgetting is seen, not inferred.
Every mark also differs in shape, for a terminal without colour (NO_COLOR, a monochrome
SSH session): each task's points have their own glyph, the fit now is solid, each ghost
dashed in its own rhythm, the truth dotted. The legend wraps rather than being cut.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from cftui.draw.axes import ticks_within
from cftui.draw.braille import Canvas
from cftui.draw.task_style import task_color, task_mark
from cftui.train.snapshot import Snapshot
from cftui.tui.widgets.picture import Picture

AXIS_WIDTH = 7  # columns for the y labels
DASHES = ((2, 1), (1, 1), (3, 1), (1, 2))  # (cells drawn, cells left out) per ghost
SOLID, DOTTED = "━━━", "┈┈┈"


def dash_mark(j: int) -> str:
    """The legend's picture of ghost j's dashes."""
    on, off = DASHES[j % len(DASHES)]
    return (("━" * on + " " * off) * 3)[: on + off + on]


class FitPlot(Picture):
    many = "fits"

    def key(self, snap: Snapshot) -> tuple:
        return (snap.run, snap.step, snap.state, len(snap.ghosts))

    @staticmethod
    def legend_entries(snap: Snapshot) -> list[tuple[str, str, str]]:
        return legend_entries(snap)

    def draw(self, snap: Snapshot) -> Text:
        tasks, grid = snap.scene.tasks, snap.scene.grid
        legend = legend_lines(legend_entries(snap), self.size.width) if self.legend else []
        width, height = self.size.width - AXIS_WIDTH, self.size.height - 1 - len(legend)
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
            dots = np.linspace(task.x_range[0], task.x_range[1], width)[::2]  # every other cell
            canvas.points(dots, np.interp(dots, task.curve_x, task.curve_y), "bright_black")
        points = {}  # the style of each task's point layer -> its glyph
        for j in [j for j in range(len(tasks)) if j != snap.task] + [snap.task]:
            style = f"{'bold' if j == snap.task else 'dim'} {task_color(j)}"
            canvas.points(tasks[j].x_train, tasks[j].y_train, style)
            points[style] = task_mark(j)
        cells = (grid - grid[0]) / (grid[-1] - grid[0]) * (width - 1)
        for j, ghost in enumerate(shown_ghosts(snap)):
            on, off = DASHES[j % len(DASHES)]
            canvas.curve(
                grid, np.where(cells.round() % (on + off) < on, ghost, np.nan), f"{task_color(j)}"
            )
        canvas.curve(grid, snap.fit, "bold")
        text = Text()
        labels = _y_labels(height, y_range)
        for r, runs in enumerate(canvas.rows()):
            text.append(labels.get(r, " " * AXIS_WIDTH), style="dim")
            for chars, style in runs:
                if style in points:  # a point's cell shows its task's glyph, not its dots
                    chars = "".join(" " if c == " " else points[style] for c in chars)
                text.append(chars, style=style or None)
            text.append("\n")
        text.append(_x_axis(tasks, grid, width), style="dim")
        for line in legend:
            text.append("\n").append(line)
        return text


def _y_labels(height: int, y_range: tuple[float, float]) -> dict[int, str]:
    """Round values (-2, -1, 0), each on the row it falls in, by row."""
    lo, hi = y_range
    labels = {}
    for value in ticks_within(lo, hi):
        row = min(max(round((hi - value) / (hi - lo) * height - 0.5), 0), height - 1)
        label = next(f"{value:.{p}g}" for p in (3, 2, 1) if len(f"{value:.{p}g}") < AXIS_WIDTH)
        labels[row] = f"{label:>{AXIS_WIDTH - 1}} "
    return labels


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


def shown_ghosts(snap: Snapshot) -> tuple[np.ndarray, ...]:
    """The ghosts of the tasks before the one in training (a finished task's own ghost is
    the fit now, hidden under it)."""
    return snap.ghosts[: snap.task]


def legend_entries(snap: Snapshot) -> list[tuple[str, str, str]]:
    """(mark, its style, label) of everything the panel draws, in the legend's order."""
    entries = [(task_mark(j), task_color(j), f"task {j + 1}") for j in range(len(snap.scene.tasks))]
    entries.append((SOLID, "bold", "fit now"))
    entries += [
        (dash_mark(j), task_color(j), f"after task {j + 1}") for j in range(len(shown_ghosts(snap)))
    ]
    entries.append((DOTTED, "bright_black", "truth"))
    return entries


def legend_lines(
    entries: list[tuple[str, str, str]], width: int, indent: int = AXIS_WIDTH
) -> list[Text]:
    """The legend in as many lines as it takes at ``width``; an entry is never split."""
    lines = [Text(" " * indent)]
    for mark, style, label in entries:
        entry = Text.assemble((mark, style), " ", label)
        if lines[-1].cell_len > indent and lines[-1].cell_len + 2 + entry.cell_len > width:
            lines.append(Text(" " * indent))
        lines[-1].append("  " if lines[-1].cell_len > indent else "").append(entry)
    return lines
