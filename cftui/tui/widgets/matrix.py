"""The loss matrix panel: a row per finished task, coloured against the diagonal."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from cftui.report import loss_matrix_table
from cftui.snapshot import Snapshot


class LossMatrix(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def show(self, snap: Snapshot) -> None:
        key = (snap.run, snap.loss_matrix)
        if key == self._shown:
            return
        self._shown = key
        if not snap.loss_matrix:
            self.update(Text("the loss matrix fills in as each task ends", style="dim"))
        else:
            self.update(loss_matrix_table(snap.loss_matrix, len(snap.scene.tasks), title=None))
