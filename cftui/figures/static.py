"""The article's figures as files: `data`, `loss`, `fit` and `matrix` for one run; side by
side, the same as small multiples on shared axes (the app's rule: a height in one panel
means what it means in the next) and a `summary` table. The format follows the file's
extension (PNG, SVG, PDF); the pixel size is what was asked; SVG and PDF carry no date, so
the same run gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import matplotlib
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure

from cftui.figures import digits, panels, planes, table
from cftui.figures.grids import grid, layout, legend_below
from cftui.figures.panels import MATRIX_COLORS
from cftui.figures.style import SAVING, rc, small_sizes_allowed
from cftui.results.atomic import write_all
from cftui.train import problem
from cftui.train.snapshot import Comparison, Snapshot

KINDS = {  # what `cftui figure` (and the app's "g") writes of one run, by the picture its
    # problem draws: the one place that says which pictures have figures, and which figures each has
    "fit": ("data", "loss", "fit", "matrix"),
    "regions": ("data", "loss", "accuracy", "regions", "matrix"),
    "digits": digits.KINDS,
}
SIDE_BY_SIDE = ("summary",)  # and besides those, of runs side by side
FORMATS = (".png", ".svg", ".pdf")
DPI = 150  # pixels per inch when --dpi is not given: a 1200-pixel figure is 8 inches wide
PANEL_PX = (480, 400)  # a panel's default size in pixels, when --size is not given
METADATA = {".svg": {"Date": None}, ".pdf": {"CreationDate": None}, ".png": {}}


def picture(shown: Snapshot | Comparison) -> str:
    """What the run's problem draws of its model: "fit", "regions" or "digits"."""
    return problem.of(shown.scene.config).picture


def kinds(shown: Snapshot | Comparison) -> tuple[str, ...]:
    """Every figure of ``shown``: its picture's, and the summary of runs side by side."""
    return kinds_of(picture(shown), isinstance(shown, Comparison))


def kinds_of(drawn: str, side_by_side: bool) -> tuple[str, ...]:
    """Every figure of a run whose problem draws ``drawn`` (or of runs side by side)."""
    return KINDS[drawn] + (SIDE_BY_SIDE if side_by_side else ())


def default_size(kind: str, shown: Snapshot | Comparison) -> tuple[int, int]:
    """Pixels, when --size is not given: a picture's own figures as it says (SIZES), a chart
    1200x750, side by side (and a matrix) PANEL_PX a panel."""
    runs = shown.runs if isinstance(shown, Comparison) else (shown,)
    if own := SIZES[picture(shown)].get(kind):
        return own(runs)
    if kind == "summary":
        return 1200, 140 + 60 * len(runs)
    if len(runs) == 1 and kind != "matrix":
        return 1200, 750
    rows, cols = layout(len(runs))
    return min(PANEL_PX[0] * cols + 160, 2400), PANEL_PX[1] * rows + 120


def _fit_size(runs: tuple[Snapshot, ...]) -> tuple[int, int]:
    """One run: a panel per task end, in a row. Side by side: a panel per method."""
    rows, cols = (1, len(panels.fit_values(runs[0]))) if len(runs) == 1 else layout(len(runs))
    return min(PANEL_PX[0] * cols + 160, 2400), PANEL_PX[1] * rows + 120


def title(snap: Snapshot, methods: tuple[str, ...] = ()) -> str:
    config = snap.scene.config
    shown = ", ".join(methods) or config.method.name
    if snap.loss_band is None:
        return f"{config.name} · {shown} · seed {config.data.seed}"
    return f"{config.name} · {shown} · seeds from {config.data.seed}: the median, the range shaded"


def build(kind: str, shown: Snapshot | Comparison, style: str, size: tuple[int, int], dpi: int):
    """The figure ``kind`` of a run (Snapshot) or of runs side by side (Comparison)."""
    runs = shown.runs if isinstance(shown, Comparison) else (shown,)
    methods = shown.methods if isinstance(shown, Comparison) else ()

    def draw(fig: Figure) -> str:
        DRAW[picture(shown)][kind](fig, runs, style)
        return title(runs[0], methods)

    return drawn(draw, style, size, dpi)


def drawn(draw: Callable[[Figure], str], style: str, size: tuple[int, int], dpi: int) -> Figure:
    """A figure of ``size`` pixels in ``style``, its panels drawn by ``draw``, which says its
    caption."""
    with matplotlib.rc_context(rc(style)):
        fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, layout="constrained")
        fig.suptitle(draw(fig), fontsize="small", alpha=0.8)
    return fig


def _data(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    panels.data(fig.add_subplot(), runs[0].scene, style)


def _loss(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    axes = grid(fig, len(runs))
    for ax, snap in zip(axes, runs, strict=False):
        panels.losses(ax, snap, style)
        ax.set_title(
            snap.scene.config.method.name
            if len(runs) > 1
            else f"{problem.of(snap.scene.config).loss_name} per task"
        )
        ax.label_outer()
    if len(runs) == 1:
        axes[0].legend(loc="best")
    else:
        legend_below(fig, axes[0])


def _fit(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    """One run: a panel per task end. Side by side: a panel per method, at its last."""
    if len(runs) == 1:
        ends = len(panels.fit_values(runs[0]))
        axes = grid(fig, 1, across=ends)
        for end, ax in enumerate(axes[:ends]):
            panels.fit(ax, runs[0], end, style)
            ax.label_outer()
        legend_below(fig, axes[ends - 1])  # the last panel holds every ghost
    else:
        axes = grid(fig, len(runs))
        for ax, snap in zip(axes, runs, strict=False):
            panels.fit(ax, snap, len(panels.fit_values(snap)) - 1, style)
            ax.set_title(f"{snap.scene.config.method.name}: {ax.get_title()}")
            ax.label_outer()
        legend_below(fig, axes[0])


def _matrix(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    norm = panels.shared_norm(list(runs))
    axes = grid(fig, len(runs))
    for ax, snap in zip(axes, runs, strict=False):
        panels.matrix(ax, snap, norm, style)
        ax.set_title(f"test MSE{': ' + snap.scene.config.method.name if len(runs) > 1 else ''}")
    for ax in axes:  # after every matrix set its ticks, which the axes share
        ax.label_outer()
    bar = fig.colorbar(ScalarMappable(norm, MATRIX_COLORS), ax=axes, label="test MSE (log scale)")
    bar.ax.yaxis.set_major_formatter(panels.PLAIN)


SHARED = {"loss": _loss, "summary": table.summary}  # drawn alike for every problem
SIZES = {  # picture -> kind -> its default size, where not default_size's own
    "fit": {"data": lambda runs: (1200, 750), "fit": _fit_size},
    "regions": planes.SIZES,
    "digits": digits.SIZES,
}
DRAW = {  # picture -> kind -> how its figure is drawn
    "fit": {"data": _data, "fit": _fit, "matrix": _matrix, **SHARED},
    "regions": {**planes.DRAW, **SHARED},
    "digits": {**digits.DRAW, **SHARED},
}


def encode(fig: Figure, suffix: str) -> bytes:
    """``fig`` as the bytes of a file in the format ``suffix`` names."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(SAVING), small_sizes_allowed():
        fig.savefig(buffer, format=suffix[1:], dpi=fig.dpi, metadata=METADATA[suffix])
    return buffer.getvalue()


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` to ``path`` (atomically), in the format its extension names."""
    write_all({path: encode(fig, path.suffix.lower())})
    return path


def paths(out: Path, kinds: tuple[str, ...]) -> list[Path]:
    """Where each figure of ``kinds`` goes: OUT-KIND.EXT (out: OUT.EXT)."""
    return [out.with_name(f"{out.stem}-{kind}{out.suffix}") for kind in kinds]


def render(
    shown: Snapshot | Comparison,
    out: Path,
    kinds: tuple[str, ...],
    style: str = "light",
    size: tuple[int, int] | None = None,
    dpi: int = DPI,
) -> dict[Path, bytes]:
    """Each figure of ``kinds``, drawn, by the path it goes to."""
    suffix = out.suffix.lower()
    return {
        path: encode(build(kind, shown, style, size or default_size(kind, shown), dpi), suffix)
        for kind, path in zip(kinds, paths(out, kinds), strict=True)
    }


def write(shown: Snapshot | Comparison, out: Path, kinds: tuple[str, ...], **how) -> list[Path]:
    """Each figure of ``kinds`` drawn, then all written (or none); the paths written."""
    figures = render(shown, out, kinds, **how)
    write_all(figures)
    return list(figures)
