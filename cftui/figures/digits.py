"""The figures of a digits run: in the regions' place (`digits`), the test digits the app
shows with the class the network answered after each task, a row of digits per task, wrong
answers marked; a row of panels per task end, a column per method side by side. The
accuracy, the cross-entropy, the accuracy matrix over the confusion matrix and the summary
are a 2-D run's (planes.py, static.py).

Class-incremental forgetting reads at a glance: after task 3, plain fine-tuning answers
every 0, 1, 2 and 3 with a 4 or a 5 (each marked ✗ on a red ground); replay's rows stay
mostly unmarked. Each image is the set's own pixels (a recording holds them exactly), so a
figure from a run and from its recording are the same file.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from cftui.figures import panels, planes
from cftui.figures.style import OKABE_ITO, THEMES, ink
from cftui.train.digits import SIDE
from cftui.train.snapshot import Snapshot

TILE_H, TILE_W = SIDE + 5, SIDE + 1  # pixels a tile: an image, its answer under it, a gap
RIGHT, WRONG = ("=", OKABE_ITO["green"]), ("✗", OKABE_ITO["red"])  # the app's marks
WRONG_GROUND = 0.22  # a wrong answer's tile: the red this much over the background
FAINT = 0.25  # the ink of a task not trained by then (its digits to come, no answer)
PANEL_PX = (640, 270)  # a panel's size in pixels, when --size is not given
TILE_FONT = 6.5  # points: an answer under its 8x8 image


def shown_places(snap: Snapshot) -> list[np.ndarray]:
    """Per task, the places in the picture of its shown images, in the app's order."""
    task = np.asarray(snap.scene.grid)[0]
    return [np.flatnonzero(task == k) for k in range(len(snap.scene.tasks))]


def answers(ax: Axes, snap: Snapshot, end: int, style: str, brief: bool = False) -> None:
    """The shown digits after task ``end`` (or now, past the last finished task): a row
    per task, each image over its answer, the tasks not trained by then faint and
    unanswered; the accuracy then in the title (planes.end_title)."""
    places, (_, index) = shown_places(snap), np.asarray(snap.scene.grid)
    answered = panels.picture_ends(snap)[end]
    ground, ink_rgb = (
        np.array(to_rgb(THEMES[style]["axes.facecolor"])),
        np.array(to_rgb(ink(style))),
    )
    wrong_ground = WRONG_GROUND * np.array(to_rgb(WRONG[1])) + (1 - WRONG_GROUND) * ground
    across = max(len(p) for p in places)
    image = np.tile(ground, (TILE_H * len(places), TILE_W * across, 1))
    for k, row in enumerate(places):
        task = snap.scene.tasks[k]
        for n, place in enumerate(row):
            top, left = k * TILE_H, n * TILE_W
            truth, answer = int(task.y_test[index[place]]), int(answered[place])
            trained = k <= end
            tile = wrong_ground if trained and answer != truth else ground
            image[top : top + TILE_H - 1, left : left + TILE_W - 1] = tile
            pixels = task.x_test[index[place]].reshape(SIDE, SIDE, 1) * (1 if trained else FAINT)
            image[top : top + SIDE, left : left + SIDE] = tile + pixels * (ink_rgb - tile)
            if trained:
                mark, color = RIGHT if answer == truth else WRONG
                ax.text(
                    left + SIDE / 2 - 0.5,
                    top + SIDE + 1.6,
                    f"{mark}{answer}",
                    color=color,
                    ha="center",
                    va="center",
                    fontsize=TILE_FONT,
                    fontweight="bold",
                )
    ax.imshow(image, interpolation="nearest", aspect="equal")
    ax.set_xticks([])
    ax.set_yticks(
        [k * TILE_H + SIDE / 2 for k in range(len(places))],
        [f"task {k + 1}: {t.name}" for k, t in enumerate(snap.scene.tasks)],
        fontsize="x-small",
    )
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():  # the tiles' grounds are the frame
        spine.set_visible(False)
    ax.set_title(planes.end_title(snap, end, brief))


def _digits(fig: Figure, runs: tuple[Snapshot, ...], style: str) -> None:
    """A row per task end, a column per method (one run: one column)."""
    ends = max(len(panels.picture_ends(snap)) for snap in runs)
    axes = fig.subplots(ends, len(runs), squeeze=False, sharex=True, sharey=True).T
    panels.each_end_in_a_column(
        axes, runs, lambda ax, snap, end, brief: answers(ax, snap, end, style, brief)
    )
    for ax in axes.flat:
        ax.label_outer()
    fig.supxlabel(
        f"under each digit its answer: {RIGHT[0]} right, {WRONG[0]} wrong (on red); "
        "faint: a task not trained yet",
        fontsize="small",
    )


def _digits_size(runs: tuple[Snapshot, ...]) -> tuple[int, int]:
    ends = max(len(panels.picture_ends(snap)) for snap in runs)
    return min(PANEL_PX[0] * len(runs) + 160, 2400), PANEL_PX[1] * ends + 120


KINDS = ("loss", "accuracy", "digits", "matrix")  # what `cftui figure` writes of a digits run
DRAW = {"accuracy": planes.DRAW["accuracy"], "digits": _digits, "matrix": planes.DRAW["matrix"]}
SIZES = {"digits": _digits_size, "matrix": planes.SIZES["matrix"]}
