"""The loss (or, for a classification, accuracy) matrix panel: a row per finished task,
coloured against the diagonal.

Drawn without outer edges, a rule under the header only, and one space between columns, so
that at 80x24 three tasks' numbers fit across, and the forgetting row and the BWT line
below them fit in the half of the side column the panel may take.
"""

from __future__ import annotations

from rich import box
from rich.text import Text
from textual.widgets import Static

from cftui.results.report import accuracy_matrix_table, loss_matrix_table
from cftui.train import problem
from cftui.train.snapshot import Snapshot


class LossMatrix(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def show(self, snap: Snapshot) -> None:
        """The loss matrix, or a classification's accuracy matrix (its losses are in the
        chart beside it)."""
        key = (snap.run, snap.loss_matrix)
        if key == self._shown:
            return
        self._shown = key
        classes = bool(problem.of(snap.scene.config).score)
        title = "accuracy %" if classes else "loss matrix"
        self.border_title = f"{title}: after each task"
        if not snap.loss_matrix:
            self.update(Text(" fills in as each task ends", style="dim"))
            return
        tables = {True: accuracy_matrix_table, False: loss_matrix_table}
        matrix = snap.accuracy_matrix if classes else snap.loss_matrix
        table = tables[classes](matrix, len(snap.scene.tasks), title=None)
        table.box, table.show_edge, table.padding = box.SIMPLE_HEAD, False, (0, 0, 0, 1)
        table.columns[0].min_width = len("forgot")  # too narrow: the numbers give way first
        for row in table.rows:  # this box draws a section's rule as a blank line: no rule
            row.end_section = False
        if table.caption:  # every line in line with the rows
            table.caption = "\n".join(f" {line}" for line in str(table.caption).splitlines())
        self.update(table)
