"""A vectorised braille raster: curves and points onto a grid of 2x4-dot terminal cells.

Each layer (a curve, a scatter) is a boolean pixel mask drawn with numpy, then packed eight
dots to a character. A cell shows the dots of the highest layer that has any there, in that
layer's style, so a fitted line stays a clean line over the data it crosses. Plotting the
fit this way costs well under a millisecond, where plotext costs several.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Bit of each dot in a braille cell, indexed [column][row] (Unicode braille patterns).
DOT_BITS = np.array([[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]], dtype=np.uint16)
BLANK = 0x2800  # the empty braille cell; a plain space is drawn instead (1 byte, not 3)


@dataclass(frozen=True)
class Layer:
    mask: np.ndarray  # [2 * width, 4 * height] pixels, row 0 at the top
    style: str


class Canvas:
    """Maps data coordinates onto ``width`` x ``height`` cells of braille dots."""

    def __init__(self, width: int, height: int, x_range: Sequence[float], y_range: Sequence[float]):
        self.width, self.height = max(width, 1), max(height, 1)
        self.px, self.py = 2 * self.width, 4 * self.height
        self.x_range, self.y_range = x_range, y_range
        self.layers: list[Layer] = []

    def _pixels(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        col = (np.asarray(x, dtype=float) - x0) / (x1 - x0) * (self.px - 1)
        row = (y1 - np.asarray(y, dtype=float)) / (y1 - y0) * (self.py - 1)
        return np.rint(col), np.rint(row)

    def points(self, x: np.ndarray, y: np.ndarray, style: str) -> None:
        """A scatter: one dot per point; points off the canvas are left out."""
        col, row = self._pixels(x, y)
        inside = (col >= 0) & (col < self.px) & (row >= 0) & (row < self.py)
        mask = np.zeros((self.px, self.py), dtype=bool)
        mask[col[inside].astype(int), row[inside].astype(int)] = True
        self.layers.append(Layer(mask, style))

    def curve(self, x: np.ndarray, y: np.ndarray, style: str) -> None:
        """A line through (x, y), x increasing: every pixel column between x[0] and x[-1]
        is filled from its height to the next column's, so steep parts stay connected."""
        (x0, x1) = self.x_range
        centres = x0 + (np.arange(self.px) + 0.5) / self.px * (x1 - x0)
        covered = (centres >= x[0]) & (centres <= x[-1])
        _, rows = self._pixels(centres, np.interp(centres, x, y))
        following = np.append(rows[1:], rows[-1])
        following = np.where(np.append(covered[1:], False), following, rows)
        low, high = np.minimum(rows, following), np.maximum(rows, following)
        # a column's span reaches halfway to the next one's height
        high = np.where(high > low, np.floor((low + high) / 2), high)
        pixel_rows = np.arange(self.py)
        mask = (pixel_rows >= low[:, None]) & (pixel_rows <= high[:, None]) & covered[:, None]
        self.layers.append(Layer(mask, style))

    def vline(self, x: float, style: str) -> None:
        """A dotted vertical marker at ``x``."""
        col, _ = self._pixels(np.array([x]), np.array([0.0]))
        mask = np.zeros((self.px, self.py), dtype=bool)
        if 0 <= col[0] < self.px:
            mask[int(col[0]), ::2] = True
        self.layers.append(Layer(mask, style))

    def rows(self) -> list[list[tuple[str, str]]]:
        """Each text row as runs of (characters, style); the top layer wins in each cell.

        Blank cells join the run before them: fewer style changes, fewer bytes to send."""
        cells = np.zeros((len(self.layers) + 1, self.width, self.height), dtype=np.uint16)
        for i, layer in enumerate(self.layers, start=1):
            dots = layer.mask.reshape(self.width, 2, self.height, 4)
            cells[i] = np.einsum("xcyr,cr->xy", dots.astype(np.uint16), DOT_BITS)
        top = (cells > 0) * np.arange(len(self.layers) + 1)[:, None, None]
        owner = top.max(axis=0)  # [width, height]: the highest layer with dots in the cell
        bits = np.take_along_axis(cells, owner[None], axis=0)[0]
        styles = [""] + [layer.style for layer in self.layers]
        lines = []
        for r in range(self.height):
            runs: list[tuple[str, str]] = []
            for c in range(self.width):
                dots = int(bits[c, r])
                if not dots and runs:  # a blank looks the same in any foreground style:
                    runs[-1] = (runs[-1][0] + " ", runs[-1][1])  # extend the run, no new code
                    continue
                char, style = (chr(BLANK + dots), styles[owner[c, r]]) if dots else (" ", "")
                if runs and runs[-1][1] == style:
                    runs[-1] = (runs[-1][0] + char, style)
                else:
                    runs.append((char, style))
            lines.append(runs)
        return lines
