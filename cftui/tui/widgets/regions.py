"""The decision regions: the class the model predicts over the plane, with the training
points on top, as TensorFlow Playground draws a classifier.

Each cell is filled with its predicted class's shade and, on every third cell, that class's
region glyph, so the regions read without colour too (NO_COLOR, a monochrome SSH session).
Each training point is its class's mark in its class's colour; the task in training's points
are bold. The plane is drawn square (a cell is about twice as tall as wide) and redrawn only
when the regions or the task change; the terminal is sent only the cells that changed.
"""

from __future__ import annotations

import itertools

import numpy as np
from rich.text import Span, Text

from cftui.draw.task_style import class_color, class_mark, region_mark, region_shade
from cftui.train.snapshot import Snapshot
from cftui.tui.widgets.fit import legend_lines
from cftui.tui.widgets.picture import AnswersPicture

FILL_EVERY = 3  # a region glyph on every third cell along a row (staggered by row)
# regions.RegionMeasure: in the task scenario; short enough for an 80x24 panel (38 columns)
HEAD_NOTE = ("each cell:", "dim", "the nearest task's head")


class RegionsPlot(AnswersPicture):
    many = "regions"

    @staticmethod
    def legend_entries(snap: Snapshot) -> list[tuple[str, str, str]]:
        """(mark, its style, label) of each class, then what bold means; in the task scenario,
        which head answers a cell (a head per task: the map is not one 6-class classifier)."""
        data = snap.scene.config.data
        entries = [
            (class_mark(c) + region_mark(c), class_color(c), f"class {c + 1}")
            for c in range(data.n_classes)
        ]
        entries.append(("bold", "bold", f"task {snap.task + 1}'s points"))
        return entries + ([HEAD_NOTE] if data.scenario == "task" else [])

    def draw(self, snap: Snapshot) -> Text:
        legend = legend_lines(self.legend_entries(snap), self.size.width, 0) if self.legend else []
        room_w, room_h = self.size.width, self.size.height - len(legend)
        width, height = min(room_w, 2 * room_h), min(room_h, room_w // 2)
        if width < 4 or height < 2:
            return Text("too small", style="dim")
        classes = cells_of(snap, width, height)
        points = points_of(snap, width, height)
        pad = " " * ((room_w - width) // 2)
        rows = [_row(r, classes[r], points, pad) for r in range(height)]
        return Text("\n").join([*rows, *legend])


def _row(r: int, classes: np.ndarray, points: dict, pad: str) -> Text:
    """Row ``r`` of the plane: each run of a class one span of its shade and glyphs, each
    point on it a span of its own (spans, not appends: a frame has hundreds)."""
    chars, spans = [pad], []
    at = len(pad)
    for c, k, cells in runs(classes):
        shade = f"on {region_shade(k)}"
        chars.append("".join(region_mark(k) if (x + r) % FILL_EVERY == 0 else " " for x in cells))
        spans.append(Span(at, at + len(cells), f"{class_color(k)} {shade}"))
        for x in [x for x in cells if (r, x) in points]:  # its points, on top
            label, bold = points[r, x]
            chars[-1] = chars[-1][: x - c] + class_mark(label) + chars[-1][x - c + 1 :]
            style = f"{'bold' if bold else 'dim'} {class_color(label)} {shade}"
            spans.append(Span(at + x - c, at + x - c + 1, style))
        at += len(cells)
    return Text("".join(chars), spans=spans)


def runs(row: np.ndarray) -> list[tuple[int, int, range]]:
    """(first column, class, its columns) of each run of one class along a row."""
    edges = [0, *(np.flatnonzero(row[1:] != row[:-1]) + 1).tolist(), len(row)]
    return [(a, int(row[a]), range(a, b)) for a, b in itertools.pairwise(edges)]


def cells_of(snap: Snapshot, width: int, height: int) -> np.ndarray:
    """The predicted class in each of ``height`` x ``width`` cells (top row first): the
    nearest point of the scene's grid."""
    side = snap.scene.grid.shape[1]
    columns = np.linspace(0, side - 1, width).round().astype(int)
    rows = np.linspace(side - 1, 0, height).round().astype(int)  # y falls down the screen
    return snap.fit.reshape(side, side)[rows][:, columns]


def points_of(snap: Snapshot, width: int, height: int) -> dict[tuple[int, int], tuple[int, bool]]:
    """(row, column) -> (class, of the task in training) of every training point's cell; the
    task in training's points are placed last, on top."""
    (x0, x1), (y0, y1) = (axis[[0, -1]] for axis in snap.scene.grid)
    tasks = snap.scene.tasks
    order = [j for j in range(len(tasks)) if j != snap.task] + [snap.task]
    placed = {}
    for j in order:
        x, y = tasks[j].x_train.T
        columns = np.clip(((x - x0) / (x1 - x0) * (width - 1)).round(), 0, width - 1).astype(int)
        rows = np.clip(((y1 - y) / (y1 - y0) * (height - 1)).round(), 0, height - 1).astype(int)
        for r, c, label in zip(rows, columns, tasks[j].y_train, strict=True):
            placed[int(r), int(c)] = (int(label), j == snap.task)
    return placed
