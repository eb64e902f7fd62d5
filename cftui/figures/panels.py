"""The article's panels, each drawn on a matplotlib Axes from a Snapshot: the data, the test
losses against step, the fit at a task's end with the ghosts of earlier ones, and the loss
matrix (a heatmap that a 2-D run's accuracy matrix is drawn with too). The static figures
and the animation both draw with these; planes.py has a 2-D run's own.

The fit and the ghosts are drawn as a recording holds them (rounded to 1/2000 of the data's
span, far below a pixel), so a figure made from a run and one made from its recording are
the same file.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm, Normalize
from matplotlib.ticker import FuncFormatter

from cftui.figures.style import ink, task_color, task_line, task_marker
from cftui.results.recording_codecs import FitScale
from cftui.train import problem
from cftui.train.snapshot import Scene, Snapshot

LOSS_FLOOR = 1e-6  # a test MSE of 0 (or below) is drawn here on the log axis
NO_LOSS_RANGE = (0.01, 1.0)  # a log axis's span where no loss is finite (diverged at once)
MATRIX_COLORS = "cividis"  # perceptually even and colour-blind safe
UNTRAINED = "#d9d9d9"  # a cell of a task not yet trained: out of the colour scale
GREW = 2.0  # a cell this many times the loss right after its task was trained says so


def points(ax: Axes, scene: Scene, alpha: float = 0.55) -> None:
    """Every task's training points, in its colour and marker."""
    for j, task in enumerate(scene.tasks):
        ax.scatter(
            task.x_train,
            task.y_train,
            s=14,
            color=task_color(j),
            marker=task_marker(j),
            alpha=alpha,
            linewidths=0,
            label=f"task {j + 1}",
        )


def truths(ax: Axes, scene: Scene, style: str, colored: bool = False) -> None:
    """Each task's noiseless curve: in its colour (the data figure) or grey and dotted."""
    for j, task in enumerate(scene.tasks):
        color = task_color(j) if colored else ink(style)
        line = "-" if colored else ":"
        label = f"task {j + 1}: {task.name}" if colored else ("truth" if j == 0 else None)
        ax.plot(
            task.curve_x,
            task.curve_y,
            line,
            color=color,
            alpha=0.9 if colored else 0.6,
            label=label,
        )


def data(ax: Axes, scene: Scene, style: str) -> None:
    points(ax, scene)
    truths(ax, scene, style, colored=True)
    ax.set(xlabel="x", ylabel="y", title="the tasks: training points and true curves")
    ax.legend(loc="best")


def fit_values(snap: Snapshot) -> list[np.ndarray]:
    """The fit after each finished task (its ghost), then the fit now if a task is under
    way: each as the recording holds it."""
    scale = FitScale.of(snap.scene.tasks)
    return [scale.rounded(values) for values in picture_ends(snap)]


def picture_ends(snap: Snapshot) -> list[np.ndarray]:
    """The picture (a fit, or regions) after each finished task, then now if a task is
    under way."""
    ends = list(snap.ghosts)
    if len(ends) <= snap.task:
        ends.append(snap.fit)
    return ends


def each_end_in_a_column(axes, runs: tuple[Snapshot, ...], draw: Callable) -> None:
    """``axes[k]``: run k's column, a panel per task end it reached drawn by ``draw(ax,
    snap, end, brief)`` and the rest hidden; side by side, the method heads its column. The
    2-D regions and the digits figures lay out their panels alike through this one place."""
    for column, snap in zip(axes, runs, strict=True):
        drawn = len(picture_ends(snap))
        for end, ax in enumerate(column):
            ax.set_visible(end < drawn)
            if end < drawn:
                draw(ax, snap, end, len(runs) > 1)
        if len(runs) > 1:
            column[0].set_title(f"{snap.scene.config.method.name}\n{column[0].get_title()}")


def fit(ax: Axes, snap: Snapshot, end: int, style: str) -> None:
    """The fit at the end of task ``end`` (or now, past the last finished task) over every
    task's points, with the fits at the ends of earlier tasks dashed in their colours."""
    fits = fit_values(snap)
    points(ax, snap.scene, alpha=0.4)
    truths(ax, snap.scene, style)
    for j in range(end):
        ax.plot(
            snap.scene.grid,
            fits[j],
            "--",
            color=task_color(j),
            lw=1.4,
            label=f"fit after task {j + 1}",
        )
    finished = end < len(snap.ghosts)
    ax.plot(snap.scene.grid, fits[end], color=ink(style), lw=2.2, label="fit")
    when = f"after task {end + 1}" if finished else f"task {end + 1}, epoch {snap.epoch}"
    ax.set(xlabel="x", ylabel="y", title=when)


def losses(ax: Axes, snap: Snapshot, style: str, log: bool = True) -> None:
    """Every task's test loss (MSE, or cross-entropy) against step (the seeds' range shaded),
    task switches marked."""
    steps = np.asarray(snap.steps)
    floor = (lambda v: np.maximum(v, LOSS_FLOOR)) if log else (lambda v: v)
    for j in range(len(snap.scene.tasks)):
        if snap.loss_band is not None:
            low, high = (floor(edge[:, j]) for edge in snap.loss_band)
            ax.fill_between(steps, low, high, color=task_color(j), alpha=0.2, linewidth=0)
        ax.plot(
            steps,
            floor(snap.test_losses[:, j]),
            color=task_color(j),
            linestyle=task_line(j),
            label=f"task {j + 1}",
        )
    switches(ax, snap, style)
    if log:
        ax.set_yscale("log")
        plain_log_ticks(ax)
        if not finite_losses(snap.test_losses, *(snap.loss_band or ())).size:
            ax.set_ylim(*NO_LOSS_RANGE)  # no loss to scale the axis by: matplotlib cannot
    named = problem.of(snap.scene.config).loss_name
    ax.set(xlabel="optimizer step", ylabel=named + (" (log scale)" if log else ""))


def switches(ax: Axes, snap: Snapshot, style: str) -> None:
    """A dashed line where each task after the first began."""
    for k, step in enumerate(snap.boundaries):
        ax.axvline(
            step,
            color=ink(style),
            alpha=0.5,
            lw=1,
            linestyle=(0, (2, 2)),
            label="task switch" if k == 0 else None,
        )


PLAIN = FuncFormatter(lambda value, _: f"{value:g}")  # 10, 1, 0.1: a log axis as the app's


def plain_log_ticks(ax: Axes) -> None:
    """A log axis labelled 10, 1, 0.1, 0.01 (as the app's), not in powers of ten."""
    ax.yaxis.set_major_formatter(PLAIN)


def matrix(ax: Axes, snap: Snapshot, norm: Normalize, style: str) -> None:
    """The loss matrix on a shared log scale, a cell that grew GREW times or more since its
    task was trained with its factor."""
    rows = np.asarray(snap.loss_matrix, dtype=float).reshape(-1, len(snap.scene.tasks))

    def written(i: int, j: int) -> str:
        grew = rows[i, j] / rows[j, j] if i > j and rows[j, j] > 0 else 0.0
        return f"{rows[i, j]:.3g}" + (f"\n×{grew:.0f}" if grew >= GREW else "")

    heatmap(ax, rows, norm, "test MSE on", written)


def heatmap(
    ax: Axes, rows: np.ndarray, norm: Normalize, label: str, written: Callable[[int, int], str]
) -> None:
    """A matrix of scores (row i: after task i) as a heatmap, each cell written in; a task
    not yet trained (right of the diagonal) is grey, in italics, out of the scale: its loss
    was the brightest colour, where the eye went first."""
    if not len(rows):  # stopped in task 1: no row yet (an empty image has no extent)
        ax.text(0.5, 0.5, "no task finished yet", ha="center", va="center")
        ax.set_axis_off()
        return
    untrained = untrained_cells(rows.shape)
    colors = matplotlib.colormaps[MATRIX_COLORS].with_extremes(bad=UNTRAINED)
    shown = np.ma.masked_where(untrained, np.maximum(rows, norm.vmin))
    ax.imshow(shown, cmap=colors, norm=norm, aspect="auto")
    for (i, j), value in np.ndenumerate(rows):
        shade = norm(max(value, norm.vmin)) if math.isfinite(value) else 0.0
        ax.text(
            j,
            i,
            written(i, j),
            ha="center",
            va="center",
            color="dimgray" if untrained[i, j] else "black" if shade > 0.55 else "white",
            fontweight="normal" if untrained[i, j] else "bold",
            fontstyle="italic" if untrained[i, j] else "normal",
        )
    n_rows, n_tasks = rows.shape
    ax.set_xticks(range(n_tasks), [f"task {j + 1}" for j in range(n_tasks)])
    ax.set_yticks(range(n_rows), [f"after task {i + 1}" for i in range(n_rows)])
    ax.set(xlabel=label, ylabel="")
    ax.grid(False)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def untrained_cells(shape: tuple[int, int]) -> np.ndarray:
    """Where row i (after task i) holds a task not yet trained: j > i."""
    return np.triu(np.ones(shape, dtype=bool), k=1)


def shared_norm(snaps: list[Snapshot]) -> LogNorm:
    """One log colour scale for every matrix drawn side by side, over the trained cells."""
    trained = [[row[: i + 1] for i, row in enumerate(s.loss_matrix)] for s in snaps]
    low, high = loss_range(*(cell for rows in trained for cell in rows))
    return LogNorm(max(low, LOSS_FLOOR), max(high, low * 10))


def finite_losses(*values: object) -> np.ndarray:
    """The losses among ``values`` that a log axis can show: finite and above 0."""
    joined = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values] + [np.ones(0)])
    return joined[np.isfinite(joined) & (joined > 0)]


def loss_range(*values: object) -> tuple[float, float]:
    """The lowest and highest of finite_losses, or NO_LOSS_RANGE where there is none."""
    finite = finite_losses(*values)
    return (float(finite.min()), float(finite.max())) if finite.size else NO_LOSS_RANGE
