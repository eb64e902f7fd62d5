"""ChangedRows: a widget drawn as one Text sends the terminal only the cells that changed.

Textual sends a refreshed region to the terminal whole. A plot changes in a few cells per
row from one frame to the next (where the curve moved), so refreshing just the span of
changed cells in each row, not the widget, cuts what an SSH link carries severalfold.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip


class ChangedRows:
    """A mixin for a Widget: ``repaint(text)`` refreshes the cells that changed, and rows are
    served through Textual's line API (render_line), so an unchanged row is not rendered
    again. A row wider than the widget is cut at its width and ends with "…"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.text = Text()  # what the widget shows now
        self._rows: tuple[Text, ...] = ()
        self._strips: dict[int, Strip] = {}  # rendered rows, by y
        self._strips_for: tuple = ()  # the (style, width) the cached rows were rendered at

    def render_line(self, y: int) -> Strip:
        style, width = self.rich_style, self.size.width
        if (style, width) != self._strips_for:  # a new theme or size: render every row anew
            self._strips, self._strips_for = {}, (style, width)
        if y not in self._strips:
            row = self._fit(self._rows[y] if y < len(self._rows) else Text())
            strip = Strip(row.render(self.app.console)).adjust_cell_length(width, style)
            self._strips[y] = strip.apply_style(style)
        return self._strips[y]

    def repaint(self, text: Text) -> None:
        rows = tuple(text.split("\n", allow_blank=True))
        old, self.text, self._rows = self._rows, text, rows
        regions = []
        for y in range(max(len(rows), len(old))):
            new_row = rows[y] if y < len(rows) else Text()
            old_row = old[y] if y < len(old) else Text()
            if new_row == old_row:  # the common case, and a cheap comparison
                continue
            new_cells, old_cells = _cells(self._fit(new_row)), _cells(self._fit(old_row))
            width = max(len(new_cells), len(old_cells))
            changed = [x for x in range(width) if _at(new_cells, x) != _at(old_cells, x)]
            self._strips.pop(y, None)
            if changed:
                regions.append(Region(changed[0], y, changed[-1] - changed[0] + 1, 1))
        if regions:  # in content coordinates
            self.refresh(*regions)

    def _fit(self, row: Text) -> Text:
        """The row as shown: cut to the widget's width, with "…" where it was cut."""
        row = row.copy()
        row.truncate(self.size.width, overflow="ellipsis")
        return row


def _cells(row: Text) -> list[tuple[str, object]]:
    """(character, style) of every cell of a one-line Text."""
    styles: list[object] = [row.style] * len(row.plain)
    for span in row.spans:
        styles[span.start : span.end] = [span.style] * (min(span.end, len(styles)) - span.start)
    return list(zip(row.plain, styles, strict=True))


def _at(row: list, x: int) -> tuple[str, object] | None:
    return row[x] if x < len(row) else None
