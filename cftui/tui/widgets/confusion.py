"""Why class-incremental learning forgets, on screen (`x`): the confusion matrix of the last
test (a row per task and class: the share of its test points each class answered), and
under each class a bar of its mean logit, how loud it answers.

In blobs-class with naive or EWC the rows of task 1 fill up in task 3's columns, and task
3's bars stand highest: the new classes out-shout the old ones on every point. With replay
the answers stay on the diagonal and the bars level. The numbers are the trainer's
(cftui.train.confusion); this only lays them out. A cell is 4 columns where they fit and 3
where not (10 classes at 80x24: a share is rounded down, so "100" is a whole row, its other
cells "·" with a blank after); its share is its text, so the matrix reads without colour
(NO_COLOR): a right answer is green, a wrong one red, a row's majority bold.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.text import Text

from cftui.train import confusion, problem
from cftui.train.confusion import Confusion
from cftui.train.snapshot import Snapshot
from cftui.tui.widgets.picture import Picture

BARS = "▁▂▃▄▅▆▇█"  # a class's mean logit, from the lowest of the classes seen to the highest
WRAPPER = Console(width=200, no_color=True)  # wraps the caption at a width; prints nothing
MEANING = {  # what a row's answers are chosen among, per scenario (objective.Classification)
    "class": "each point answered among every class seen so far",
    "task": "each point answered by its own task's head (its task's classes only)",
    "domain": "every task has every class: a row per task and class",
}


class ConfusionPlot(Picture):
    """The panel `x` shows in place of the accuracy matrix (side by side: of each picture),
    as tall as its lines."""

    many = "confusion matrices"
    DEFAULT_CSS = "ConfusionPlot { height: 12; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "why forgotten: % of each row answered as"

    def key(self, snap: Snapshot) -> tuple:
        return (snap.run, snap.task, snap.confusion)

    def repaint(self, text: Text) -> None:
        """Take the height the lines need (the panel's CSS caps it; a new height resizes
        it, which draws it again), then paint them."""
        lines = len(text.plain.split("\n")) + self.styles.gutter.height
        if self.styles.height is None or self.styles.height.value != lines:
            self.styles.height = lines
        super().repaint(text)

    def draw(self, snap: Snapshot) -> Text:
        return confusion_text(snap, self.content_size.width or self.size.width)


def confusion_text(snap: Snapshot, width: int) -> Text:
    """The matrix of ``snap``'s confusion at ``width`` columns: a header of classes, a row per
    (task, class) of the tasks trained so far, the logits' bars, then what it means."""
    data = snap.scene.config.data
    if snap.confusion is None:
        held = "a regression has no classes" if not data.scenario else "none recorded"
        return Text(f" no confusion matrix: {held} (x: back)", style="dim")
    rows = [(r, j, c) for r, (j, c) in enumerate(confusion.rows_of(data)) if j <= snap.task]
    names = problem.class_names(data)
    wide = max(map(len, names))
    label = max(len(f"t{data.n_tasks}") + 1 + wide, len("logit")) + 1  # + 1: apart from a 100
    cell = 4 if label + 4 * data.n_classes <= width else 3
    seen = confusion.seen_classes(data, snap.task)
    header = Text(" " * label)
    for c in range(data.n_classes):
        header.append(f"{names[c]:>{cell}}", style="bold" if seen[c] else "dim")
    shares = snap.confusion.shares()
    lines = [header]
    for r, j, c in rows:
        first = (j, c) == next((jj, cc) for _, jj, cc in rows if jj == j)
        line = Text(f"{f't{j + 1}' if first else '':<{label - 1 - wide}}")
        line.append(f"{names[c]:>{wide}} ", style="bold")
        _cells(line, shares[r], c, cell)
        lines.append(line)
    lines.append(_bars(snap.confusion, seen, label, cell))
    said = _caption(snap.confusion, seen, data.scenario, snap.scene.config.name, width)
    return Text("\n").join(lines + said)


def share_cell(share: float) -> str:
    """A share as a cell: whole percent, rounded down ("·" for none): "100" only for a whole row, so
    in 3 columns it follows a "·" cell, which keeps its last column blank."""
    return "·" if share == 0 else f"{int(100 * share)}"


def _dot(cell: int) -> str:
    """An empty cell: "·" under the numbers' last digit, or in 3 columns one to the left, so
    that a "100" after it stays apart."""
    return f"{'·':>{cell}}" if cell > 3 else f"{'·':>{cell - 1}} "


def _cells(line: Text, shares: np.ndarray, own: int, cell: int) -> None:
    """A row's shares in %, "·" where none: green on its own class, red elsewhere, bold
    where most of the row went."""
    top = int(shares.argmax())
    for c, share in enumerate(shares):
        if share == 0:
            line.append(_dot(cell), style="dim")
            continue
        style = ("green" if c == own else "red") + (" bold" if c == top else "")
        line.append(f"{share_cell(share):>{cell}}", style=style)


def _bars(table: Confusion, seen: np.ndarray, label: int, cell: int) -> Text:
    """Each seen class's mean logit as a bar, lowest to highest of them; "·" for the others."""
    line = Text(f"{'logit':<{label}}", style="dim")
    low, high = _range(table.logits[seen])
    for c, value in enumerate(table.logits):
        if not seen[c] or not np.isfinite(value):
            line.append(_dot(cell), style="dim")
            continue
        level = 0 if high == low else round((value - low) / (high - low) * (len(BARS) - 1))
        line.append(f"{BARS[level]:>{cell}}", style="bold" if level == len(BARS) - 1 else "")
    return line


def _range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 0.0)


def _caption(
    table: Confusion, seen: np.ndarray, scenario: str, preset: str, width: int
) -> list[Text]:
    """What the bars, the rows and the columns are, then on the preset it was measured on
    the measured sentence: what a student should see."""
    low, high = _range(table.logits[seen])
    words = [  # the bars' scale first, right under them: a short panel cuts what comes last
        f"logit ▁ {low:.3g} to █ {high:.3g}: each class's mean over the trained tasks' points.",
        f"row: a task's class; column: answered as (% of the row). {MEANING[scenario]}.",
    ]
    if preset == confusion.measured()["preset"]:
        words.append(confusion.measured_sentence())
    lines = []
    for said in words:
        text = Text(said, style="dim")
        lines += text.wrap(WRAPPER, max(width, 10))
    return list(lines)
