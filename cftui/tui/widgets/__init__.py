"""The panels of the main screen, each redrawn only when what it shows has changed."""

from rich.text import Text
from textual.geometry import Region

TASK_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red")  # the 16-colour names


def task_color(j: int) -> str:
    return TASK_COLORS[j % len(TASK_COLORS)]


class ChangedRows:
    """For a widget drawn as one Text: repaint only the cells that changed.

    Textual sends a refreshed region to the terminal whole. A plot changes in a few cells
    per row from one frame to the next (where the curve moved), so refreshing just the span
    of changed cells in each row, not the widget, cuts what an SSH link carries severalfold.
    """

    _text: Text = Text()
    _cells: tuple[list[tuple[str, object]], ...] = ()

    def repaint(self, text: Text) -> None:
        rows = tuple(_cells(row) for row in text.split("\n", allow_blank=True))
        old, self._text, self._cells = self._cells, text, rows
        regions = []
        for y in range(max(len(rows), len(old))):
            new_row = rows[y] if y < len(rows) else []
            old_row = old[y] if y < len(old) else []
            changed = [
                x
                for x in range(max(len(new_row), len(old_row)))
                if _at(new_row, x) != _at(old_row, x)
            ]
            if changed:
                regions.append(Region(changed[0], y, changed[-1] - changed[0] + 1, 1))
        if regions:  # in content coordinates
            self.refresh(*regions)

    def forget_rows(self) -> None:
        """After a resize every cell must be sent again."""
        self._cells = ()


def _cells(row: Text) -> list[tuple[str, object]]:
    """(character, style) of every cell of a one-line Text."""
    styles: list[object] = [row.style] * len(row.plain)
    for span in row.spans:
        styles[span.start : span.end] = [span.style] * (min(span.end, len(styles)) - span.start)
    return list(zip(row.plain, styles, strict=True))


def _at(row: list, x: int) -> tuple[str, object] | None:
    return row[x] if x < len(row) else None
