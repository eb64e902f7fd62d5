"""What moves in an animation, per run: its picture (the fit and the ghosts of earlier
tasks, or a 2-D run's decision regions over every task's points; a digits run's confusion
matrix, digits_motion.py) and its chart (the test losses on a log axis, or the accuracy; a
digits run's accuracy matrix), each built once on its axes with what stays still,
then update(snap) sets what a frame shows. ``moving`` lists the artists a blitting writer
redraws over the still background.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import PercentFormatter

from cftui.figures import panels, planes
from cftui.figures.digits_motion import AccuracyMatrixMotion, ConfusionMotion
from cftui.figures.style import ink, task_color, task_line
from cftui.results.recording_codecs import FitScale
from cftui.train.snapshot import Snapshot

MARGIN = 0.15  # room above and below the data in the fit panel, as a share of its span


def fit_range(snaps: list[Snapshot]) -> tuple[float, float]:
    """The fit axis's range: the data's, widened to every fit and ghost the frames draw (the
    ghost after task 1 reached 1.23 where the points stop near 0.9), but by at most the data's
    span on each side, so a fit that shot off does not shrink the points to a line."""
    scene = snaps[-1].scene
    data = np.concatenate([np.r_[t.y_train, t.curve_y] for t in scene.tasks])
    span = float(np.ptp(data) or 1.0)
    drawn = np.concatenate([data, *(v for snap in snaps for v in panels.fit_values(snap))])
    drawn = np.clip(drawn[np.isfinite(drawn)], data.min() - span, data.max() + span)
    room = MARGIN * float(np.ptp(drawn) or 1.0)
    return float(drawn.min() - room), float(drawn.max() + room)


class FitMotion:
    """The fit panel: the fit now, and the fits at the ends of the tasks before this one's
    dashed (the app's rule), over every task's points and true curve."""

    def __init__(self, ax, snaps: list[Snapshot], style: str) -> None:
        scene, n_tasks = snaps[-1].scene, len(snaps[-1].scene.tasks)
        self.scale = FitScale.of(scene.tasks)
        panels.points(ax, scene, alpha=0.45)
        panels.truths(ax, scene, style)
        nan = self.hidden = np.full(len(scene.grid), np.nan)
        self.ghosts = [  # the last task's is never shown: it would be the fit at the end
            ax.plot(scene.grid, nan, "--", color=task_color(j), lw=1.3)[0]
            for j in range(n_tasks - 1)
        ]
        self.fit = ax.plot(scene.grid, nan, color=ink(style), lw=2)[0]
        ax.set(xlabel="x", ylabel="y", ylim=fit_range(snaps), title="fit")
        names = ["fit now", *(f"after task {j + 1}" for j in range(n_tasks - 1))]
        ax.legend([self.fit, *self.ghosts], names, loc="lower right", fontsize="x-small")
        self.moving = [*self.ghosts, self.fit]

    def update(self, snap: Snapshot) -> None:
        self.fit.set_ydata(self.scale.rounded(snap.fit))
        for j, line in enumerate(self.ghosts):
            shown = j < min(snap.task, len(snap.ghosts))
            line.set_ydata(self.scale.rounded(snap.ghosts[j]) if shown else self.hidden)


class RegionsMotion:
    """The decision regions now, every task's points on top: those of the tasks trained so
    far (the one in training included) in full, the later ones faint."""

    def __init__(self, ax, snaps: list[Snapshot], style: str) -> None:
        scene = self.scene = snaps[-1].scene
        self.style = style
        self.image = planes.regions_image(ax, snaps[0].fit, scene, style)
        self.points = planes.points(ax, scene, style, lit=range(len(scene.tasks)))
        planes.plane_axes(ax, scene)
        ax.set_title("the class predicted in each cell")
        self.moving = [self.image, *(dots for _, dots in self.points)]

    def update(self, snap: Snapshot) -> None:
        self.image.set_data(planes.region_pixels(snap.fit, self.scene, self.style))
        for j, dots in self.points:
            dots.set_alpha(1.0 if j <= snap.task else planes.UNSEEN_ALPHA)


@dataclass(frozen=True)
class Chart:
    """The chart beside the picture: a score of every task against step."""

    title: str
    values: Callable[[Snapshot], np.ndarray]  # [steps, tasks]
    band: Callable[[Snapshot], tuple | None]  # the seeds' range, each like values, or None
    log: bool


LOSS_CHART = Chart(
    "test MSE",
    lambda snap: np.maximum(snap.test_losses, panels.LOSS_FLOOR),
    lambda snap: snap.loss_band and tuple(np.maximum(e, panels.LOSS_FLOOR) for e in snap.loss_band),
    log=True,
)
ACCURACY_CHART = Chart("test accuracy", lambda snap: snap.test_accuracy, lambda snap: None, False)


class ChartMotion:
    """Every task's score against step (the seeds' range shaded), the task switches shown as
    they are reached; the axes span the whole run from the first frame."""

    def __init__(self, ax, snaps: list[Snapshot], style: str, chart: Chart) -> None:
        last, self.chart = snaps[-1], chart
        n_tasks = len(last.scene.tasks)
        self.lines = [
            ax.plot([], [], color=task_color(j), linestyle=task_line(j))[0] for j in range(n_tasks)
        ]
        self.bands = [
            ax.fill_between([], [], [], color=task_color(j), alpha=0.2, lw=0)
            if chart.band(last) is not None
            else None
            for j in range(n_tasks)
        ]
        self.boundaries = last.boundaries
        self.switches = [
            ax.axvline(step, color=ink(style), alpha=0.5, lw=1, ls=(0, (2, 2)))
            for step in last.boundaries
        ]
        ax.set(xlim=(0, max(int(last.step), 1)), xlabel="optimizer step")
        if chart.log:
            ax.set_yscale("log")
            low, high = panels.loss_range(chart.values(last), *(chart.band(last) or ()))
            ax.set(ylim=(low / 1.5, high * 1.5), ylabel=f"{chart.title} (log scale)")
            panels.plain_log_ticks(ax)
        else:
            ax.set(ylim=(-0.02, 1.02), ylabel=chart.title)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(f"{chart.title} per task")
        legend = [f"task {j + 1}" for j in range(n_tasks)]
        ax.legend(self.lines, legend, loc="upper right", fontsize="small")
        self.moving = [*self.lines, *self.switches, *(b for b in self.bands if b is not None)]

    def update(self, snap: Snapshot) -> None:
        steps, values, band = np.asarray(snap.steps), self.chart.values(snap), self.chart.band(snap)
        for j, line in enumerate(self.lines):
            line.set_data(steps, values[:, j])
            if self.bands[j] is not None and band is not None:
                self.bands[j].set_data(steps, band[0][:, j], band[1][:, j])
        for step, line in zip(self.boundaries, self.switches, strict=True):
            line.set_visible(step <= snap.step)


MOTIONS = {  # by the picture a run draws: what moves in its picture's place and its chart's
    "fit": (FitMotion, functools.partial(ChartMotion, chart=LOSS_CHART)),
    "regions": (RegionsMotion, functools.partial(ChartMotion, chart=ACCURACY_CHART)),
    "digits": (ConfusionMotion, AccuracyMatrixMotion),  # the two matrices as tasks go by
}
