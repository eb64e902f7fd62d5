"""Modal screens: the preset and method pickers, and the help."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Markdown, OptionList
from textual.widgets.option_list import Option


class Picker(ModalScreen[str | None]):
    """A list to choose from, each entry with a line saying what it is; Escape cancels."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "cancel")]

    def __init__(self, title: str, entries: list[tuple[str, str, bool]], current: str) -> None:
        """``entries``: (name, description, usable); an unusable one shows why, greyed."""
        super().__init__()
        self.title_text, self.entries, self.current = title, entries, current

    def compose(self) -> ComposeResult:
        options = [
            Option(
                Text.assemble(
                    ("● " if name == self.current else "  "),
                    (name, "bold" if usable else "dim"),
                    "\n    ",
                    (description, "dim" if usable else "dim red"),
                ),
                id=name,
                disabled=not usable,
            )
            for name, description, usable in self.entries
        ]
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*options)
            yield Label("enter: choose · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        names = [name for name, _, _ in self.entries]
        if self.current in names:
            option_list.highlighted = names.index(self.current)
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


HELP = """\
# cftui

A small MLP learns one noisy 1-D task, then the next on a disjoint x-range, and **forgets**.

- **fit** (left): each task's points in its colour (the task in training bright), the true
  curve faint, the fit now as a bold line, and the fit at the end of each earlier task as a
  *ghost* in that task's colour. Where the bold line leaves the ghost, the network forgot.
- **test MSE** (right): every task's test loss against step; vertical lines mark task switches.
  Watch task 1's loss climb while task 2 trains.
- **loss matrix**: row *i* is the test MSE on every task right after task *i*; `x12` marks a
  loss twelve times what it was when that task was learned.

| key | does |
|---|---|
| `n` | next task (switch early, or leave a finished one) |
| `space` | pause / resume |
| `.` | one epoch, while paused |
| `+` / `-` | pace: twice / half as fast |
| `f` | full pace |
| `a` | auto-advance to the next task on / off |
| `r` | restart the run (same data, same initial weights) |
| `m` | method picker: restart with another method, same data and weights |
| `p` | preset picker: restart with another preset |
| `l` | loss axis log / linear |
| `s` | save an SVG screenshot |
| `ctrl+p` | every action, by name |
| `q`, `ctrl+c` | quit |
"""


class Help(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "close")]

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):  # scrolls with the arrows on a small terminal
            yield Markdown(HELP)
            yield Label("esc: close · ↑↓: scroll", classes="dialog-hint")
