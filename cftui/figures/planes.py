"""The figures of a 2-D classification: every task's classes in the plane (`data`), the
decision regions after each task (`regions`: small multiples, the picture of
class-incremental forgetting), the test accuracy against step (`accuracy`) and the accuracy
matrix (`matrix`); the test cross-entropy is static's `loss`.

A regions panel is the recorded class grid itself (the class the model predicts in each
cell, as the app's panel and TensorFlow Playground draw it), filled with a tint of its
class's colour, every task's training points on top. A recording keeps the grid and the
accuracies exactly, so a figure from a run and from its recording are the same file.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from cftui.figures import panels
from cftui.figures.confusion import draw_confusion
from cftui.figures.grids import grid, legend_below
from cftui.figures.panels import MATRIX_COLORS
from cftui.figures.style import class_color, class_marker, region_tints, task_color, task_line
from cftui.train import confusion, problem
from cftui.train.snapshot import Comparison, Scene, Snapshot

PANEL_PX = 400  # a plane's side in pixels, when --size is not given
SCENARIO_PX = 340  # the same in the three-scenarios figure
LEGEND_ENTRY_PX = 130  # the width a class's legend entry takes ("class 6" and its mark)
UNSEEN_ALPHA = 0.2  # the points of a task not trained yet: faint
POINT_EDGE = "black"  # around each point, on a light or a dark region alike
HEAD_NOTE = "task-incremental: each cell is answered by the head of the nearest task"
MATRIX_CELL_PX = 110  # an accuracy matrix cell's width, "100 %" in bold and room around it
MATRIX_ROWS = {"height_ratios": (1, 1.6), "hspace": 0.35}  # accuracy, then the confusion
ACCURACY_NORM = Normalize(0.0, 1.0)  # the accuracy matrix's colour scale: chance to perfect


def points(ax: Axes, scene: Scene, style: str, lit: range | set, grey: bool = False) -> list:
    """Every task's training points, each class in its colour and marker; those of a task
    not in ``lit`` (not trained yet, or not the task shown) faint, and ``grey``. The
    (task, its class's points) drawn."""
    drawn = []
    for j, task in enumerate(scene.tasks):
        on = j in lit
        for c in task.classes:
            at = task.x_train[task.y_train == c]
            dots = ax.scatter(
                at[:, 0],
                at[:, 1],
                s=13,
                color=class_color(c) if on or not grey else "grey",
                marker=class_marker(c),
                alpha=1.0 if on else UNSEEN_ALPHA,
                linewidths=0.4 if on else 0,
                edgecolors=POINT_EDGE,
                zorder=2 if on else 1,
            )
            drawn.append((j, dots))
    return drawn


def extent(plane: np.ndarray) -> tuple[float, float, float, float]:
    """The plane's edges: half a cell beyond its first and last cells' centres."""
    (x0, x1), (y0, y1) = plane[:, [0, -1]]
    dx, dy = (x1 - x0) / (plane.shape[1] - 1) / 2, (y1 - y0) / (plane.shape[1] - 1) / 2
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def plane_axes(ax: Axes, scene: Scene) -> None:
    """A square plane, framed, with no ticks: where a point lies matters, not its
    coordinates."""
    left, right, bottom, top = extent(scene.grid)
    ax.set(xlim=(left, right), ylim=(bottom, top), xticks=[], yticks=[], aspect="equal")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)


def region_pixels(classes: np.ndarray, scene: Scene, style: str) -> np.ndarray:
    """``[G, G, 3]``: each cell of the plane in its predicted class's tint (y rising with
    the row, as the grid holds it)."""
    side = scene.grid.shape[1]
    tints = region_tints(style, scene.config.data.n_classes)
    return tints[np.asarray(classes).reshape(side, side)]


def regions_image(ax: Axes, classes: np.ndarray, scene: Scene, style: str):
    """The predicted class in every cell, as an image of its classes' tints."""
    shown = region_pixels(classes, scene, style)
    return ax.imshow(shown, origin="lower", extent=extent(scene.grid), interpolation="nearest")


def regions(ax: Axes, snap: Snapshot, end: int, style: str, brief: bool = False) -> None:
    """The regions after task ``end`` (or now, past the last finished task), every task's
    points on top (those not trained by then faint), the accuracy then in the title (over
    which tasks, unless ``brief``)."""
    regions_image(ax, panels.picture_ends(snap)[end], snap.scene, style)
    points(ax, snap.scene, style, lit=range(end + 1))
    plane_axes(ax, snap.scene)
    ax.set_title(end_title(snap, end, brief))


def end_title(snap: Snapshot, end: int, brief: bool = False) -> str:
    """A picture's title at task ``end``'s end: the accuracy then over the tasks trained
    (which ones, unless ``brief``); or, past the last finished task, the task and epoch."""
    if end >= len(snap.ghosts):  # a task under way
        return f"task {end + 1}, epoch {snap.epoch}"
    accuracy = 100 * np.mean(snap.accuracy_matrix[end][: end + 1])
    seen = "" if brief else f" on tasks 1–{end + 1}" if end else " on task 1"
    return f"after task {end + 1}: {accuracy:.0f} %{seen}"


def accuracies(ax: Axes, snap: Snapshot, style: str) -> None:
    """Every task's test accuracy against step, in percent, task switches marked."""
    steps = np.asarray(snap.steps)
    for j in range(len(snap.scene.tasks)):
        ax.plot(
            steps,
            snap.test_accuracy[:, j],
            color=task_color(j),
            linestyle=task_line(j),
            label=f"task {j + 1}",
        )
    panels.switches(ax, snap, style)
    ax.set(xlabel="optimizer step", ylabel="test accuracy", ylim=(-0.02, 1.02))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def accuracy_matrix(ax: Axes, snap: Snapshot) -> None:
    """The accuracy matrix on the scale chance..perfect, each cell in percent."""
    rows = np.asarray(snap.accuracy_matrix, dtype=float).reshape(-1, len(snap.scene.tasks))
    written = lambda i, j: f"{100 * rows[i, j]:.0f} %"  # noqa: E731
    panels.heatmap(ax, rows, ACCURACY_NORM, "test accuracy on", written)


def class_legend(fig: Figure, scene: Scene, faint: bool) -> None:
    """A mark per class under the panels (and what a faint point is)."""
    n = scene.config.data.n_classes
    handles = [
        Line2D([], [], marker=class_marker(c), color=class_color(c), linestyle="", markersize=7)
        for c in range(n)
    ]
    labels = [f"class {name}" for name in problem.class_names(scene.config.data)]
    if faint:
        handles.append(Line2D([], [], marker="o", color="grey", alpha=UNSEEN_ALPHA, ls=""))
        labels.append("a task not trained yet")
    fits = int(fig.get_figwidth() * fig.dpi // LEGEND_ENTRY_PX)  # a one-panel figure: 3
    legend_below(fig, None, handles, labels, most=max(2, min(fits, 4 if faint else 6)))


def _data(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    """A panel per task: its points in their classes' colours, the other tasks' faint."""
    scene = runs[0].scene
    axes = grid(fig, 1, across=len(scene.tasks))
    for j, (ax, task) in enumerate(zip(axes, scene.tasks, strict=False)):
        points(ax, scene, style, lit={j}, grey=True)
        plane_axes(ax, scene)
        ax.set_title(f"task {j + 1}: {task.name}")
    class_legend(fig, scene, faint=False)


def _accuracy(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    axes = grid(fig, len(runs))
    for ax, snap in zip(axes, runs, strict=False):
        accuracies(ax, snap, style)
        ax.set_title(snap.scene.config.method.name if len(runs) > 1 else "test accuracy per task")
        ax.label_outer()
    legend_below(fig, axes[0])


def _regions(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    """One run: a panel per task end. Side by side: a column per method, a row per task end
    (the accuracy over the tasks so far in each title)."""
    ends = max(len(panels.picture_ends(snap)) for snap in runs)
    shape = (1, ends) if len(runs) == 1 else (ends, len(runs))
    axes = fig.subplots(*shape, squeeze=False, sharex=True, sharey=True)
    axes = axes if len(runs) == 1 else axes.T  # a run's task ends: axes[k] for run k
    panels.each_end_in_a_column(
        axes, runs, lambda ax, snap, end, brief: regions(ax, snap, end, style, brief)
    )
    class_legend(fig, runs[0].scene, faint=ends > 1)
    if runs[0].scene.config.data.scenario == "task":
        fig.supxlabel(HEAD_NOTE, fontsize="small")


def why_forgotten(ax: Axes, snap: Snapshot) -> None:
    """The run's last confusion matrix and each class's mean logit (figures/confusion.py):
    why class-incremental learning forgets, under its accuracy matrix."""
    data = snap.scene.config.data
    if snap.confusion is None:  # a recording from before confusions were recorded
        ax.text(0.5, 0.5, "no confusion matrix recorded", ha="center", va="center")
        ax.set_axis_off()
        return
    classes = problem.class_names(data)
    trained = [(r, j, c) for r, (j, c) in enumerate(confusion.rows_of(data)) if j <= snap.task]
    rows = [f"task {j + 1}: {classes[c]}" for _, j, c in trained]
    counts = snap.confusion.counts[[r for r, _, _ in trained]]  # as the app's panel: no row
    seen = confusion.seen_classes(data, snap.task)  # of a task not trained yet
    draw_confusion(ax, counts, snap.confusion.logits, rows, classes, seen)


def _matrix(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    """The accuracy matrices, a column per run; under each, why it forgot (its confusion)."""
    axes = fig.subplots(2, len(runs), squeeze=False, gridspec_kw=MATRIX_ROWS)
    for column, snap in zip(axes.T, runs, strict=True):
        accuracy_matrix(column[0], snap)
        name = snap.scene.config.method.name
        column[0].set_title("test accuracy" + (f": {name}" if len(runs) > 1 else ""))
        why_forgotten(column[1], snap)
    for ax in axes[0, 1:]:
        ax.set_yticklabels([])
    bar = fig.colorbar(ScalarMappable(ACCURACY_NORM, MATRIX_COLORS), ax=axes[0], label="accuracy")
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def scenarios(fig: Figure, rows: list[Comparison], style: str) -> str:
    """The same methods in each scenario: a row per scenario, a column per method, the
    regions after the last task (the tour's chapter as one picture); the caption."""
    axes = fig.subplots(len(rows), len(rows[0].runs), squeeze=False)
    for row_axes, comparison in zip(axes, rows, strict=True):
        for ax, snap in zip(row_axes, comparison.runs, strict=True):
            regions(ax, snap, len(panels.picture_ends(snap)) - 1, style, brief=True)
        config = comparison.runs[0].scene.config
        head = "\n(each cell: the nearest task's head)" if config.data.scenario == "task" else ""
        row_axes[0].set_ylabel(f"{problem.scenario(config)}\n{config.name}{head}")
    for ax, method in zip(axes[0], rows[0].methods, strict=True):
        ax.set_title(f"{method}\n{ax.get_title()}")
    seed = rows[0].runs[0].scene.config.data.seed
    return f"the three scenarios · {', '.join(rows[0].methods)} · seed {seed}"


def scenarios_size(rows: list[Comparison]) -> tuple[int, int]:
    return min(SCENARIO_PX * len(rows[0].runs) + 140, 2400), SCENARIO_PX * len(rows) + 100


DRAW = {"data": _data, "accuracy": _accuracy, "regions": _regions, "matrix": _matrix}


def _regions_size(runs: tuple[Snapshot, ...]) -> tuple[int, int]:
    """A PANEL_PX square per task end, in a row; side by side, a column per method."""
    ends = max(len(panels.picture_ends(snap)) for snap in runs)
    cols, rows = (ends, 1) if len(runs) == 1 else (len(runs), ends)
    return min(PANEL_PX * cols + 80, 2400), PANEL_PX * rows + 140


def _matrix_column_px(runs: tuple[Snapshot, ...]) -> int:
    """A method's column of the matrix figure: 480 px holds a 2-D run's 2 or 3 tasks; more
    tasks (a digits run's 5) need room for each cell's "100 %" and each column's "task 5"."""
    return max(480, 140 + MATRIX_CELL_PX * len(runs[0].scene.tasks))


SIZES = {  # kind -> its default size in pixels (the charts: static's)
    "data": lambda runs: (PANEL_PX * len(runs[0].scene.tasks) + 80, PANEL_PX + 160),
    "regions": _regions_size,
    "matrix": lambda runs: (min(_matrix_column_px(runs) * len(runs) + 160, 2400), 1040),
}
