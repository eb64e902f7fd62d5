"""The picture of an image task: a grid of test digits as the network sees them, each with
the class it answers now, so forgetting shows as an old digit answered with a new class.

Each 8x8 image is drawn in half blocks, two pixels to a cell (▀ top inked, ▄ bottom, █ both;
a pixel counts as ink at half intensity and more), 8 columns by 4 rows. Under it, its answer:
"=3" when right, "✗7" when wrong, the wrong ones red and the right ones green, so the mark
reads without colour too (NO_COLOR). The digits of the task in training come first, bold,
then a band of each earlier task's; a task not yet trained is not shown (its classes have no
answer yet in the class scenario). Which images, and their answers, are the trainer's
(digit_measure.DigitMeasure): this only lays them out.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from cftui.train.digits import SIDE
from cftui.train.snapshot import Snapshot
from cftui.tui.widgets.fit import legend_lines
from cftui.tui.widgets.picture import AnswersPicture

INK = 0.5  # a pixel at least this bright is drawn
HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
TILE_W, TILE_H = SIDE + 1, SIDE // 2 + 1  # an image, its answer below, a column between
RIGHT, WRONG = ("=", "green"), ("✗", "bold red")


class DigitsPlot(AnswersPicture):
    many = "digits"

    @staticmethod
    def legend_entries(snap: Snapshot) -> list[tuple[str, str, str]]:
        """What a right and a wrong answer look like, and what bold means."""
        return [
            (f"{RIGHT[0]}3", RIGHT[1], "right"),
            (f"{WRONG[0]}3", WRONG[1], "wrong"),
            ("bold", "bold", f"task {snap.task + 1}'s"),
        ]

    def draw(self, snap: Snapshot) -> Text:
        legend = self.legend_lines(snap)
        rows = self.rows(snap)
        if not rows:
            return Text("too small", style="dim")
        lines = [line for row in rows for line in _tile_row([_tile(snap, *t) for t in row])]
        return Text("\n").join(lines + legend)

    def legend_lines(self, snap: Snapshot) -> list[Text]:
        return legend_lines(self.legend_entries(snap), self.size.width, 0) if self.legend else []

    def rows(self, snap: Snapshot) -> list[list[tuple[int, int, int]]]:
        """The rows of tiles that fit, each tile (task, image index, place in the picture): a
        band of rows per task, the task in training's first, then each earlier one from task
        1 (the longest ago, the most to forget), as many rows each as fit evenly, at least
        one, the rows left over to the first: at 80x24 a row of each of three tasks."""
        across = self.size.width // TILE_W
        down = (self.size.height - len(self.legend_lines(snap))) // TILE_H
        if across < 1 or down < 1:
            return []
        task, index = snap.scene.grid
        order = [snap.task, *range(snap.task)]
        rows = []
        for n, k in enumerate(order):  # the rows left over go to the first bands
            share = max(1, down // len(order) + (n < down % len(order)))
            places = np.flatnonzero(task == k)[: share * across]
            rows += [
                [(k, int(index[p]), int(p)) for p in places[i : i + across]]
                for i in range(0, len(places), across)
            ]
        return rows[:down]


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
