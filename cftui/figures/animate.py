"""The training as an animation (GIF, WebP, or MP4 where ffmpeg is): the picture the app
draws of the model (the fit, or a 2-D run's decision regions) and its chart (the test
losses, or the accuracy) side by side, with the task and the epoch in the title.

One animation frame per recorded frame, at most ``fps`` of them per second of the recording
(long pauses cut as a replay cuts them), played at ``fps``. The axes are fixed from the
start (the loss axis spans the whole run), so nothing jumps. matplotlib's own writers make
the file (Pillow's for GIF and WebP, ffmpeg's for MP4), into the temporary file that
`cftui figure` renames over the target with its other outputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.animation import FFMpegWriter, PillowWriter, writers
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator, PercentFormatter
from PIL import Image

from cftui.figures import panels, planes
from cftui.figures.style import ink, rc, region_tints, small_sizes_allowed, task_color, task_line
from cftui.results.atomic import WriteError
from cftui.results.recording import Frame, timeline
from cftui.results.recording_codecs import FitScale
from cftui.train import problem
from cftui.train.config import ConfigError
from cftui.train.snapshot import Snapshot

FORMATS = (".gif", ".webp", ".mp4")
SIZE, DPI = (800, 400), 100  # pixels, when --size is not given; pixels per inch
FPS = 10  # frames per second, when --fps is not given
HOLD_S = 2.0  # the last frame stays this long before a viewer loops back (it flashed 100 ms)
PALETTE = 255  # colours in a GIF's palette (one more is left for transparency)
MARGIN = 0.15  # room above and below the data in the fit panel, as a share of its span


def pick(frames: list[Frame], fps: float) -> list[int]:
    """The frames shown: at each 1/fps of the recording, the latest one due (each once);
    the last frame always."""
    times = timeline(frames)
    ticks = np.arange(0.0, times[-1] + 1e-9, 1.0 / fps)
    shown = np.searchsorted(times, ticks + 1e-9, side="right") - 1
    return sorted({*shown.tolist(), len(frames) - 1})


def check_writer(path: Path) -> None:
    if path.suffix.lower() == ".mp4" and not writers.is_available("ffmpeg"):
        raise ConfigError(str(path), "", "an .mp4 needs ffmpeg on the PATH (or write .gif)")


class BlitWriter(PillowWriter):
    """matplotlib's Pillow writer (GIF, WebP), each frame drawn by blitting what moves over
    the still background instead of redrawing the whole figure, and every frame in one
    palette (the last frame's colours), which keeps the file small and its encoding fast."""

    def __init__(self, movie: Animation, fps: float) -> None:
        super().__init__(fps=fps)
        self.movie = movie

    def setup(self, fig: Figure, outfile: Path, dpi: float | None = None) -> None:
        super().setup(fig, outfile, dpi)
        for artist in self.movie.moving:
            artist.set_animated(True)
        fig.canvas.draw()
        self.background = fig.canvas.copy_from_bbox(fig.bbox)
        self.movie.update(len(self.movie.snaps) - 1)
        self.palette = self._drawn().quantize(PALETTE, method=Image.Quantize.FASTOCTREE)

    def _drawn(self) -> Image.Image:
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for artist in self.movie.moving:
            self.fig.draw_artist(artist)
        size = canvas.get_width_height()
        return Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert(
            "RGB"
        )

    def grab_frame(self, **savefig_kwargs: object) -> None:
        image = self._drawn().quantize(palette=self.palette, dither=Image.Dither.NONE)
        self._frames.append(image)


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
        scene = snaps[-1].scene
        self.side = scene.grid.shape[1]
        self.tints = region_tints(style, scene.config.data.n_classes)
        self.image = planes.regions_image(ax, snaps[0].fit, scene, style)
        self.points = planes.points(ax, scene, style, lit=range(len(scene.tasks)))
        planes.plane_axes(ax, scene)
        ax.set_title("the class predicted in each cell")
        self.moving = [self.image, *(dots for _, dots in self.points)]

    def update(self, snap: Snapshot) -> None:
        self.image.set_data(self.tints[snap.fit.reshape(self.side, self.side)])
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
MOTIONS = {"fit": (FitMotion, LOSS_CHART), "regions": (RegionsMotion, ACCURACY_CHART)}


class Animation:
    """The figure, its artists, and update(k) that shows frame k: the picture the run's
    problem draws (a fit, or regions) and its chart (test MSE, or accuracy) side by side."""

    def __init__(self, snaps: list[Snapshot], style: str, size: tuple[int, int], dpi: int):
        self.snaps, self.style = snaps, style
        last = snaps[-1]
        n_tasks = len(last.scene.tasks)
        motion, self.chart = MOTIONS[problem.of(last.scene.config).picture]
        self.fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, layout="constrained")
        picture_ax, self.chart_ax = self.fig.subplots(1, 2)
        self.picture = motion(picture_ax, snaps, style)
        self.lines = [
            self.chart_ax.plot([], [], color=task_color(j), linestyle=task_line(j))[0]
            for j in range(n_tasks)
        ]
        self.bands = [
            self.chart_ax.fill_between([], [], [], color=task_color(j), alpha=0.2, lw=0)
            if self.chart.band(last) is not None
            else None
            for j in range(n_tasks)
        ]
        self.switches = [
            self.chart_ax.axvline(step, color=ink(style), alpha=0.5, lw=1, ls=(0, (2, 2)))
            for step in last.boundaries
        ]
        self._chart_axes(last)
        self.title = self.fig.suptitle(self._title(last), fontsize="medium")
        self.moving = [*self.picture.moving, *self.lines, *self.switches, self.title]
        self.moving += [band for band in self.bands if band is not None]
        self._freeze()

    def _freeze(self) -> None:
        """Lay the figure out once and fix its ticks, for the axes not to move."""
        with small_sizes_allowed():
            FigureCanvasAgg(self.fig).draw()
        self.fig.set_layout_engine("none")
        for axis in (axis for ax in self.fig.axes for axis in (ax.xaxis, ax.yaxis)):
            labels = [label.get_text() for label in axis.get_ticklabels()]
            axis.set_major_locator(FixedLocator(axis.get_ticklocs()))
            axis.set_major_formatter(FixedFormatter(labels))
            axis.set_minor_locator(NullLocator())

    def _chart_axes(self, last: Snapshot) -> None:
        ax, chart = self.chart_ax, self.chart
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
        legend = [f"task {j + 1}" for j in range(len(self.lines))]
        ax.legend(self.lines, legend, loc="upper right", fontsize="small")

    def update(self, k: int) -> None:
        snap = self.snaps[k]
        self.picture.update(snap)
        steps, values, band = np.asarray(snap.steps), self.chart.values(snap), self.chart.band(snap)
        for j, line in enumerate(self.lines):
            line.set_data(steps, values[:, j])
            if self.bands[j] is not None and band is not None:
                self.bands[j].set_data(steps, band[0][:, j], band[1][:, j])
        for step, line in zip(self.snaps[-1].boundaries, self.switches, strict=True):
            line.set_visible(step <= snap.step)
        self.title.set_text(self._title(snap))

    @staticmethod
    def _title(snap: Snapshot) -> str:
        config, n_tasks = snap.scene.config, len(snap.scene.tasks)
        return (
            f"{config.name} · {config.method.name} · task {snap.task + 1}/{n_tasks}, "
            f"epoch {snap.epoch}/{config.train.epochs}"
        )


def write(
    frames: list[Frame],
    path: Path,
    fps: float = FPS,
    style: str = "light",
    size: tuple[int, int] = SIZE,
    dpi: int = DPI,
) -> int:
    """Animate one run's ``frames`` into ``path`` (a command's temporary file: the caller
    renames it into place, atomic.Outputs); the number of frames written."""
    check_writer(path)
    shown = pick(frames, fps)
    with matplotlib.rc_context(rc(style)):
        movie = Animation([frames[i].snapshot for i in shown], style, size, dpi)
        mp4 = path.suffix.lower() == ".mp4"
        writer = FFMpegWriter(fps=fps) if mp4 else BlitWriter(movie, fps)
        try:
            with writer.saving(movie.fig, path, dpi):  # FuncAnimation.save draws each twice
                for k in range(len(shown)):
                    movie.update(k)
                    writer.grab_frame()
                for _ in range(math.ceil(HOLD_S * fps) - 1):  # the last one, held: GIF and
                    writer.grab_frame()  # WebP merge equal frames into one longer frame
        except OSError as err:
            raise WriteError(path, err.strerror or str(err)) from None
    return len(shown)
