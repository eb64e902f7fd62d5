"""Test loss (MSE, or cross-entropy) of every task against step, one colour per task, with
task switches marked.

Drawn with plotext (through textual-plotext). The y axis shows log10 of the losses on a
linear scale with labelled ticks: plotext 5's own log scale rewrites its data in place on
every build. Series are thinned to about two points per column, and the plot is built only
when the data or the size changed (textual-plotext would rebuild it on every repaint). The
axes move in steps (x to the round tick at or after the step where the task in training will
end, log y to whole decades), not with every new point: a new point then changes a few
cells, not the whole chart, and the terminal is sent those cells only. The legend sits in
the bottom border, off the plot, and each task's curve has its own marks (braille dots,
quarter blocks, its glyph), so the curves differ without colour too. Over several seeds a
curve is their median, with the lowest and highest seed's curves dotted around it (the
band).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from textual_plotext import PlotextPlot

from cftui.draw.axes import log_ticks, ticks_to
from cftui.draw.task_style import task_color, task_mark
from cftui.train import problem
from cftui.train.snapshot import Snapshot
from cftui.tui.widgets.changed_rows import ChangedRows

FLOOR = 1e-12  # losses are clipped here before log10
BAND = "·"  # the marker of the lowest and highest seed's curve around the median
Limits = tuple[tuple[float, float], tuple[float, float]]  # (x from, to), (y from, to)
CURVE_MARKS = (("braille", "⢕⢕"), ("hd", "▞▞"))  # plotext's marker for tasks 1 and 2, and
# the legend's picture of it; later tasks' curves are drawn with their glyph (task_mark)


def marker(j: int) -> tuple[str, str]:
    """(plotext's marker, the legend's picture of it) for task j's curve."""
    return CURVE_MARKS[j] if j < len(CURVE_MARKS) else (task_mark(j), task_mark(j) * 2)


def curve_legend(n_tasks: int, width: int = 1000) -> str:
    """Each task's curve mark and name, for a border ``width`` wide (Content markup:
    [style]...[/]): "⢕⢕ task 1  ▞▞ task 2", or "task ⢕⢕1 ▞▞2 ××3" where that does not fit."""
    marks = [(task_color(j), marker(j)[1], j + 1) for j in range(n_tasks)]
    if sum(len(mark) + 8 for _, mark, _ in marks) <= width - 2:
        return "  ".join(f"[{color}]{mark}[/] task {k}" for color, mark, k in marks)
    return "task " + " ".join(f"[{color}]{mark}[/]{k}" for color, mark, k in marks)


class LossChart(ChangedRows, PlotextPlot):
    def __init__(self, short: bool = False, **kwargs) -> None:
        """``short``: titled with the loss's name alone (a side-by-side panel)."""
        super().__init__(**kwargs)
        self.short = short
        self.title = "test MSE" if short else "test MSE per task, by step"
        self.snap: Snapshot | None = None
        self.limits: Limits | None = None
        self.log_scale = True
        self.grid = False  # measured on noise-free grid points ([data] test_points = "grid")
        self._shown: tuple | None = None
        self._title()

    def show(
        self, snap: Snapshot, limits: Limits | None = None, log_scale: bool | None = None
    ) -> None:
        """``limits``: the axes to use, on the scale ``log_scale`` (a comparison gives every
        chart the same ones); None: fitted to this run's data, on the chart's own scale."""
        self.snap, self.limits = snap, limits
        grid = snap.scene.config.data.test_points == "grid"
        loss = problem.of(snap.scene.config).loss_name
        title = loss if self.short else f"{loss} per task, by step"
        scale = self.log_scale if log_scale is None else log_scale
        if (scale, grid, title) != (self.log_scale, self.grid, self.title):
            self.log_scale, self.grid, self.title = scale, grid, title
            self._title()  # only on a change: a new border title repaints the panel
        self._update()

    def toggle_log(self) -> bool:
        self.log_scale = not self.log_scale
        self._title()
        self._update()
        return self.log_scale

    def _title(self) -> None:
        grid = ", noise-free grid" if self.grid else ""
        self.border_title = self.title + grid + (" (log10)" if self.log_scale else "")

    def on_resize(self) -> None:
        self._update()
        self.refresh()

    def _update(self) -> None:
        """Build the plot when its data, scale, size or theme changed; send changed rows."""
        snap = self.snap
        key = (
            None if snap is None else (snap.run, len(snap.steps)),
            self.limits,
            self.log_scale,
            self.size,
            self.app.theme,
        )
        if key != self._shown and self.size.area:
            self._shown = key
            self._replot()
            self.repaint(super().render())

    def on_mount(self) -> None:
        # PlotextPlot registers the new theme's colours; then build the plot with them.
        self.app.theme_changed_signal.subscribe(self, lambda theme: self._update())

    def _replot(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        snap = self.snap
        if snap is None or len(snap.steps) < 2:
            return
        self.border_subtitle = curve_legend(len(snap.scene.tasks))
        keep = _thin(len(snap.steps), max(2 * self.size.width, 2))
        steps = snap.steps[keep]
        values = self.scaled(snap.test_losses[keep])
        for j in range(values.shape[1]):
            for edge in () if snap.loss_band is None else snap.loss_band:
                plt.plot(steps, self.scaled(edge[keep])[:, j], color=task_color(j), marker=BAND)
            plt.plot(steps, values[:, j], color=task_color(j), marker=marker(j)[0])
        for boundary in snap.boundaries:
            plt.vline(boundary, "white")
        limits = self.limits or axis_limits(planned_end(snap), values, self.log_scale)
        x_limits, y_limits = limits
        plt.xlim(*x_limits)
        ticks = ticks_to(x_limits[1])
        plt.xticks(ticks, [f"{tick:g}" for tick in ticks])
        plt.ylim(*y_limits)
        if self.log_scale:
            plt.yticks(*log_ticks(*y_limits))
        else:
            ticks = ticks_to(y_limits[1])
            plt.yticks(ticks, [f"{tick:g}" for tick in ticks])

    def scaled(self, losses: np.ndarray) -> np.ndarray:
        """What the y axis plots: log10 of the losses (clipped at FLOOR), or the losses; an
        infinite loss (a diverged run's) as a gap, as a nan is: plotext cannot place it."""
        shown = np.log10(np.maximum(losses, FLOOR)) if self.log_scale else losses
        return np.where(np.isinf(shown), np.nan, shown)


def shared_limits(snaps: Sequence[Snapshot], log_scale: bool) -> Limits:
    """Axes that hold every run's curves (and their bands), so heights compare across charts."""
    values = [
        losses
        for snap in snaps
        for losses in (snap.test_losses, *(snap.loss_band or ()))
        if len(snap.steps)
    ]
    last = max((planned_end(snap) for snap in snaps if len(snap.steps)), default=1)
    joined = np.concatenate([v.ravel() for v in values]) if values else np.zeros(1)
    scaled = np.log10(np.maximum(joined, FLOOR)) if log_scale else joined
    return axis_limits(last, scaled, log_scale)


def planned_end(snap: Snapshot) -> int:
    """The step at which the task in training will end, at the pace of steps per epoch it has
    kept so far (the step now, once it ended): the x axis runs to it, so it moves once a task,
    not with every new point, and a finished run's axis ends at its last step."""
    start = snap.boundaries[snap.task - 1] if 0 < snap.task <= len(snap.boundaries) else 0
    epochs = snap.scene.config.train.epochs
    per_epoch = (snap.step - start) / snap.epoch if snap.epoch else 1
    return max(snap.step, start + round(per_epoch * epochs))


def axis_limits(last_step: int, values: np.ndarray, log_scale: bool) -> Limits:
    """x from 0 to the round tick at or after ``last_step``; y over whole decades (log10
    values) or from 0 to the round tick at or above the highest loss (linear)."""
    x_limits = (0.0, ticks_to(max(last_step, 5))[-1])  # whole steps from the start
    finite = values[np.isfinite(values)]  # a diverged run's last points are nan or inf
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if log_scale:
        low, high = math.floor(low), math.ceil(high)
        return x_limits, (low, max(high, low + 1))
    return x_limits, (0.0, ticks_to(high)[-1] if high > 0 else 1.0)


def _thin(n: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` points spread evenly over n, always with the last one."""
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(int))
