"""The picture of an image task: a grid of test digits as the network sees them, each with
the class it answers now, so forgetting shows as an old digit answered with a new class.

Each 8x8 image is drawn in half blocks, two pixels to a cell (▀ top inked, ▄ bottom, █ both;
a pixel counts as ink at half intensity and more), 8 columns by 4 rows. Under it, its answer:
"=3" when right, "✗7" when wrong, the wrong ones red and the right ones green, so the mark
reads without colour too (NO_COLOR). The digits of the task in training come first, bold,
then those of each earlier task; a task not yet trained is not shown (its classes have no
answer yet in the class scenario). Which images, and their answers, are the trainer's
(digit_measure.DigitMeasure): this only lays them out.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from cftui.train.digits import SIDE
from cftui.train.snapshot import Snapshot
from cftui.tui.widgets.fit import legend_lines
from cftui.tui.widgets.picture import Picture

INK = 0.5  # a pixel at least this bright is drawn
HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
TILE_W, TILE_H = SIDE + 1, SIDE // 2 + 1  # an image, its answer below, a column between
RIGHT, WRONG = ("=", "green"), ("✗", "bold red")


class DigitsPlot(Picture):
    many = "digits"

    def key(self, snap: Snapshot) -> tuple:
        return (snap.run, snap.task, snap.fit.tobytes())

    @staticmethod
    def legend_entries(snap: Snapshot) -> list[tuple[str, str, str]]:
        """What a right and a wrong answer look like, and what bold means."""
        return [
            (f"{RIGHT[0]}3", RIGHT[1], "answered 3, right"),
            (f"{WRONG[0]}3", WRONG[1], "answered 3, wrong"),
            ("bold", "bold", f"task {snap.task + 1}'s digits"),
        ]

    def draw(self, snap: Snapshot) -> Text:
        legend = legend_lines(self.legend_entries(snap), self.size.width, 0) if self.legend else []
        across = self.size.width // TILE_W
        down = (self.size.height - len(legend)) // TILE_H
        if across < 1 or down < 1:
            return Text("too small", style="dim")
        tiles = shown(snap)[: across * down]
        rows = [
            _tile_row([_tile(snap, *tile) for tile in tiles[i : i + across]])
            for i in range(0, len(tiles), across)
        ]
        return Text("\n").join([line for row in rows for line in row] + legend)


def shown(snap: Snapshot) -> list[tuple[int, int, int]]:
    """(task, image index, place in the picture) of each image drawn, in order: the task in
    training's first, then each earlier task's."""
    task, index = snap.scene.grid
    order = [snap.task, *range(snap.task)]
    return [(k, int(index[p]), int(p)) for k in order for p in np.flatnonzero(task == k)]


def _tile(snap: Snapshot, task: int, index: int, place: int) -> list[Text]:
    """An image's rows of half blocks, then its answer, each ``TILE_W`` wide."""
    data = snap.scene.tasks[task]
    ink = data.x_test[index].reshape(SIDE, SIDE) >= INK
    answer, truth = int(snap.fit[place]), int(data.y_test[index])
    bold = "bold" if task == snap.task else ""
    lines = [
        Text("".join(HALVES[bool(a), bool(b)] for a, b in zip(*pair, strict=True)) + " ", bold)
        for pair in ink.reshape(SIDE // 2, 2, SIDE)
    ]
    mark, style = RIGHT if answer == truth else WRONG
    label = f"{mark}{answer}"
    lines.append(Text(label.ljust(TILE_W), f"{style} {bold}".strip()))
    return lines


def _tile_row(tiles: list[list[Text]]) -> list[Text]:
    """Tiles side by side: each line of the row joins the same line of every tile."""
    return [Text("").join(tile[line] for tile in tiles) for line in range(TILE_H)]
