"""The training as an animation (GIF, WebP, or MP4 where ffmpeg is): the picture the app
draws of the model (the fit, or a 2-D run's decision regions) and its chart (the test
losses, or the accuracy), side by side; a digits run's confusion matrix and accuracy matrix
(runs side by side: a column per method, each picture over its chart), with the task and
the epoch in the title; motion.py has what moves.

One animation frame per recorded frame, at most ``fps`` of them per second of the recording
(long pauses cut as a replay cuts them), played at ``fps``. The axes are fixed from the
start (the loss axis spans the whole run), so nothing jumps. matplotlib's own writers make
the file (Pillow's for GIF and WebP, ffmpeg's for MP4), into the temporary file that
`cftui figure` renames over the target with its other outputs.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.animation import FFMpegWriter, PillowWriter, writers
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator
from PIL import Image

from cftui.figures import motion
from cftui.figures.style import rc, small_sizes_allowed
from cftui.results.atomic import WriteError
from cftui.results.recording import Frame, timeline
from cftui.train import problem
from cftui.train.config import ConfigError
from cftui.train.snapshot import Comparison, Snapshot

Shown = Snapshot | Comparison  # what a frame shows: one run, or runs side by side

FORMATS = (".gif", ".webp", ".mp4")
SIZE, DPI = (800, 400), 100  # pixels, when --size is not given; pixels per inch
FPS = 10  # frames per second, when --fps is not given
HOLD_S = 2.0  # the last frame stays this long before a viewer loops back (it flashed 100 ms)
PALETTE = 255  # colours in a GIF's palette (one more is left for transparency)
COLUMN_PX = (320, 640)  # a method's column side by side, when --size is not given
# ...its width by what the run draws: a digits run's 10-digit confusion over its 5-task
# accuracy matrix needs more than a fit or a plane ("100 %" cells ran into each other at 320)
COLUMN_WIDTH_PX = {"fit": COLUMN_PX[0], "regions": COLUMN_PX[0], "digits": 480}


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


class Animation:
    """The figure, its artists, and update(k) that shows frame k: each run's picture (a fit,
    or regions) and its chart (test MSE, or accuracy), side by side for one run; for runs
    side by side, a column per method, the picture above its chart."""

    def __init__(self, shown: list[Shown], style: str, size: tuple[int, int], dpi: int):
        self.snaps, self.style = shown, style
        last = shown[-1]
        n = len(runs(last))
        picture, chart = motion.MOTIONS[problem.of(last.scene.config).picture]
        self.fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, layout="constrained")
        pairs = self.fig.subplots(1, 2, squeeze=False) if n == 1 else self.fig.subplots(2, n).T
        self.parts = []
        for k, (picture_ax, chart_ax) in enumerate(pairs):
            history = [runs(snap)[k] for snap in shown]
            self.parts.append(
                (
                    picture(picture_ax, history, style),
                    chart(chart_ax, history, style),
                )
            )
            if n > 1:
                picture_ax.set_title(runs(last)[k].scene.config.method.name)
            if k and (legend := chart_ax.get_legend()):  # the first column's legend and
                legend.remove()  # label say it for every column
                chart_ax.set_ylabel("")
        self.title = self.fig.suptitle(self._title(last), fontsize="medium")
        self.moving = [artist for part in self.parts for m in part for artist in m.moving]
        self.moving.append(self.title)
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

    def update(self, k: int) -> None:
        for run, (picture, chart) in zip(runs(self.snaps[k]), self.parts, strict=True):
            picture.update(run)
            chart.update(run)
        self.title.set_text(self._title(self.snaps[k]))

    @staticmethod
    def _title(shown: Shown) -> str:
        lead = shown.lead if isinstance(shown, Comparison) else shown
        config, n_tasks = lead.scene.config, len(lead.scene.tasks)
        methods = ", ".join(snap.scene.config.method.name for snap in runs(shown))
        return (
            f"{config.name} · {methods} · task {shown.task + 1}/{n_tasks}, "
            f"epoch {lead.epoch}/{config.train.epochs}"
        )


def runs(shown: Shown) -> tuple[Snapshot, ...]:
    return shown.runs if isinstance(shown, Comparison) else (shown,)


def default_size(shown: Shown) -> tuple[int, int]:
    """SIZE for one run; side by side, a column per method (COLUMN_PX, as wide as its
    picture needs), picture over chart."""
    n = len(runs(shown))
    width = COLUMN_WIDTH_PX[problem.of(runs(shown)[0].scene.config).picture]
    return SIZE if n == 1 else (min(width * n + 40, 2400), COLUMN_PX[1])


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
