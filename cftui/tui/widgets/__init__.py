"""The panels of the main screen, each redrawn only when what it shows has changed."""

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip

TASK_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red")  # the 16-colour names


def task_color(j: int) -> str:
    return TASK_COLORS[j % len(TASK_COLORS)]


class ChangedRows:
    """For a widget drawn as one Text: render and repaint only the rows and cells that changed.

    Textual sends a refreshed region to the terminal whole. A plot changes in a few cells
    per row from one frame to the next (where the curve moved), so refreshing just the span
    of changed cells in each row, not the widget, cuts what an SSH link carries severalfold.
    Rows are served through Textual's line API (render_line), so an unchanged row is not
    rendered again either.
    """

    text: Text = Text()  # what the widget shows now
    _rows: tuple[Text, ...] = ()
    _strips: dict[int, Strip]
    _strip_style: object = None

    def render_line(self, y: int) -> Strip:
        style = self.rich_style
        if style != self._strip_style or not hasattr(self, "_strips"):
            self._strips, self._strip_style = {}, style  # a new theme: render every row anew
        if y not in self._strips:
            row = self._rows[y] if y < len(self._rows) else Text()
            segments = list(row.render(self.app.console))
            strip = Strip(segments).adjust_cell_length(self.size.width, style)
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
            new_cells, old_cells = _cells(new_row), _cells(old_row)
            width = max(len(new_cells), len(old_cells))
            changed = [x for x in range(width) if _at(new_cells, x) != _at(old_cells, x)]
            self._drop_strip(y)
            if changed:
                regions.append(Region(changed[0], y, changed[-1] - changed[0] + 1, 1))
        if regions:  # in content coordinates
            self.refresh(*regions)

    def forget_strips(self) -> None:
        """After a resize every row is rendered again at the new width (and sent whole)."""
        self._strips = {}

    def _drop_strip(self, y: int) -> None:
        if hasattr(self, "_strips"):
            self._strips.pop(y, None)


def _cells(row: Text) -> list[tuple[str, object]]:
    """(character, style) of every cell of a one-line Text."""
    styles: list[object] = [row.style] * len(row.plain)
    for span in row.spans:
        styles[span.start : span.end] = [span.style] * (min(span.end, len(styles)) - span.start)
    return list(zip(row.plain, styles, strict=True))


def _at(row: list, x: int) -> tuple[str, object] | None:
    return row[x] if x < len(row) else None
