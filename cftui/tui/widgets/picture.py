"""What every picture panel shares (the fit, the regions, the digits): it draws a snapshot's
picture of the model as one Text, sends the terminal the cells that changed, and draws again
only when what it shows (its ``key``) or its size changed."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from cftui.train.snapshot import Snapshot
from cftui.tui.widgets.changed_rows import ChangedRows


class Picture(ChangedRows, Widget):
    DEFAULT_CSS = "Picture { width: 1fr; height: 1fr; }"
    many: ClassVar[str]  # what several are called where they are hidden ("fits hidden")

    def __init__(self, legend: bool = True, **kwargs) -> None:
        """``legend``: draw it below the picture (side by side, the panels share one)."""
        super().__init__(**kwargs)
        self.legend = legend
        self.snap: Snapshot | None = None
        self._shown: tuple | None = None

    def show(self, snap: Snapshot) -> None:
        self.snap = snap
        key = (self.key(snap), self.size)
        if key != self._shown and self.size.area:
            self._shown = key
            self.repaint(self.draw(snap))

    def on_resize(self) -> None:
        self._shown = None
        if self.snap is not None:
            self.show(self.snap)
        self.refresh()

    def key(self, snap: Snapshot) -> Hashable:
        """What the picture depends on: the same key, the same picture."""
        raise NotImplementedError

    def draw(self, snap: Snapshot) -> Text:
        raise NotImplementedError

    @staticmethod
    def legend_entries(snap: Snapshot) -> list[tuple[str, str, str]]:
        """(mark, its style, label) of everything the panel draws, in the legend's order."""
        raise NotImplementedError


class AnswersPicture(Picture):
    """A classification's picture (the regions, the digits): the class the model answers at
    each of its places (the snapshot's ``fit``), which changes only when an answer does, a
    task begins or a new run does."""

    def key(self, snap: Snapshot) -> tuple:
        return (snap.run, snap.task, snap.fit.tobytes())
