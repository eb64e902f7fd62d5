"""The picker of methods to compare side by side (key `c`): tick 2 to 6, then enter.

A ticked box shows X and an unticked one is empty, so they differ without colour too
(Textual's SelectionList draws the same ▐X▌ for both, in two colours).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Label, SelectionList
from textual.widgets.selection_list import Selection

from cftui.train import methods
from cftui.tui.widgets.dialog import head

FEWEST, MOST = 2, 6  # methods side by side: fewer is the single view; more do not fit


TICKED, UNTICKED = "X", " "  # inside the box: a shape, not only a colour


class TickList(SelectionList[str]):
    """A SelectionList whose box holds a tick only when ticked, ticked by space at once."""

    def action_select(self) -> None:
        """Tick the highlighted row now. SelectionList posts a message and ticks whichever
        row is highlighted when it arrives: in a burst of keys (Down Space Down Space, as
        over SSH) the moves came first, and the ticks landed on a later row or undid each
        other."""
        if self.highlighted is not None:
            self.toggle(self.get_option_at_index(self.highlighted))

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        index = self.scroll_offset.y + y
        if len(segments) < 3 or index >= self.option_count:
            return strip
        ticked = self.get_option_at_index(index).value in self.selected
        segments[1] = Segment(TICKED if ticked else UNTICKED, segments[1].style)
        return Strip(segments, strip.cell_length)


class ComparePicker(ModalScreen[tuple[str, ...] | None]):
    """Every method, the ones ``ticked`` ticked; space ticks, enter starts the comparison."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "cancel"),
        Binding("enter", "confirm", "compare", priority=True),  # space ticks; enter is done
    ]

    def __init__(self, ticked: tuple[str, ...], offered: tuple[str, ...]) -> None:
        """``offered``: the methods the preset can run (validation.fitting_methods)."""
        super().__init__()
        self.ticked, self.offered = ticked, offered

    def compose(self) -> ComposeResult:
        choices = [Selection(choice(name), name, name in self.ticked) for name in self.offered]
        with Vertical(classes="dialog compare-picker"):
            yield head(
                Text("compare side by side — same data, same initial weights", style="bold"),
                f"↑↓: move · space: tick {FEWEST} to {MOST} · enter: compare · esc: cancel",
            )
            yield TickList(*choices)
            yield Label("", id="picker-problem")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_confirm(self) -> None:
        chosen = self.query_one(SelectionList).selected
        if FEWEST <= len(chosen) <= MOST:
            self.dismiss(tuple(name for name in self.offered if name in chosen))
        else:
            problem = f"tick {FEWEST} to {MOST} methods ({len(chosen)} ticked)"
            self.query_one("#picker-problem", Label).update(Text(problem, style="bold red"))


def choice(name: str) -> Text:
    """A method as the picker lists it: its name, summary, and where it comes from when not
    built in ("installed from PACKAGE", "file PATH")."""
    info = methods.info(name)
    return Text.assemble(
        (name, "bold"), "  ", (info.summary, "dim"), info.origin and f"  {info.origin}"
    )
