"""Modal screens: the preset and method pickers, and the help.

Each keeps its title at the top and its keys ("enter", "esc") at the bottom whatever the
terminal's height: only the list or the text between them shrinks, and then shows a
scrollbar and how many entries lie beyond the view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Markdown, OptionList
from textual.widgets.option_list import Option

from cftui.train import catalog, methods, validation
from cftui.train.config import Config
from cftui.tui.explain import ExplainScreen
from cftui.tui.widgets.dialog import head


class Picker(ModalScreen[str | None]):
    """A list to choose from, each entry with lines saying what it is; Escape cancels."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "cancel")]
    KEYS = "↑↓: move · enter: choose · esc: cancel"  # shown under the title

    def __init__(self, title: str, entries: list[tuple[str, str, bool]], current: str) -> None:
        """``entries``: (name, description, usable), the description one or more lines; an
        unusable entry shows why, greyed, and cannot be chosen. It can be highlighted,
        though: the arrows then reach every line of it, its first one too (a disabled
        option is skipped, and a tall one above the highlight stayed half scrolled off)."""
        super().__init__()
        self.title_text, self.entries, self.current = title, entries, current

    def compose(self) -> ComposeResult:
        options = [
            Option(
                Group(
                    Text.assemble(
                        ("● " if name == self.current else "  "),
                        (name, "bold" if usable else "dim"),
                    ),
                    Padding(Text(lines, style="dim" if usable else "dim red"), (0, 0, 0, 4)),
                ),
                id=name,
            )
            for name, lines, usable in self.entries
        ]
        with Vertical(classes="dialog"):
            yield head(Text(self.title_text, style="bold"), self.KEYS)
            yield OptionList(*options)

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        names = [name for name, _, _ in self.entries]
        if self.current in names:
            option_list.highlighted = names.index(self.current)
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self._usable(event.option.id):
            self.dismiss(event.option.id)
        else:
            self.app.bell()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """An unusable entry (a broken preset's problems) is shown from its first line."""
        if not self._usable(event.option.id):
            event.option_list.scroll_to_highlight(top=True)

    def _usable(self, name: str | None) -> bool:
        return any(usable for entry, _, usable in self.entries if entry == name)


OPEN_FILE = "open a file…"  # the method picker's last entry: a method file of the user's


class MethodPicker(Picker):
    """The method picker, where `i` explains the highlighted method (cftui.tui.explain)."""

    BINDINGS = [Binding("i", "explain", "explain")]
    KEYS = "↑↓: move · enter: choose · i: explain · esc: cancel"

    def __init__(self, config: Config, entries: list[tuple[str, str, bool]]) -> None:
        super().__init__("method — same data, same initial weights", entries, config.method.name)
        self.config = config

    def action_explain(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is not None and option.id == OPEN_FILE:
            self.app.bell()  # nothing to explain before it is loaded
            return
        self.app.push_screen(ExplainScreen(self.config, option.id if option else None))


def method_picker(config: Config) -> MethodPicker:
    """Every method with its summary and its settings as ``config`` holds them (the preset's
    values, or --set's), each default named where the value differs from it."""
    entries = [
        (name, f"{methods.info(name).summary}\n{_scenario(name)}{_settings(name, config)}", True)
        if (why := validation.unfit_method(config, name)) is None
        else (name, f"{methods.info(name).summary}\n{why}", False)
        for name in methods.names()
    ]
    yours = "a method file of yours (FILE.py)"
    return MethodPicker(config, [*entries, (OPEN_FILE, yours, True)])


def _scenario(name: str) -> str:
    """Its scenario and where it comes from when not built in ("installed from PACKAGE")."""
    notes = [note for note in (methods.info(name).scenario, methods.info(name).origin) if note]
    return "".join(f"{note} · " for note in notes)


def _settings(name: str, config: Config) -> str:
    defaults: Mapping[str, Any] = methods.info(name).defaults
    values = config.method.settings.get(name, defaults)
    if not values:
        return "no settings"
    return " · ".join(
        f"{key}={methods.setting_text(value)}"
        + ("" if value == defaults[key] else f" (default {methods.setting_text(defaults[key])})")
        for key, value in values.items()
    )


def preset_picker(presets: list[catalog.Entry], config: Config) -> Picker:
    """Every preset with its description; a user's file that takes a shipped preset's name
    says so, and a broken one names its file once and then each problem on a line."""
    entries = [
        (
            entry.name,
            "\n".join(
                ([entry.config.description] if entry.config else _problems(entry))
                + (["your file, in place of the shipped preset"] if entry.shadows else [])
            ),
            entry.config is not None,
        )
        for entry in presets
    ]
    return Picker("preset", entries, config.name)


def _problems(entry: catalog.Entry) -> list[str]:
    lines = [line.removeprefix(f"{entry.path}: ") for line in entry.error.splitlines()]
    return [f"skipped: {entry.path}", *lines]


HELP = {  # what the view shows, by the picture its problem draws (Problem.picture)
    "fit": """\
# cftui

A small MLP learns one noisy 1-D task, then the next on a disjoint x-range, and **forgets**.

- **fit** (left): each task's points in its colour and glyph (• + ×; the task in training
  bright), the true curve dotted, the fit now as a bold solid line, and the fit at the end
  of each earlier task as a dashed *ghost* in that task's colour. Where the solid line
  leaves the ghost, the network forgot.
- **test MSE** (right): every task's test loss against step, each in its own colour and
  marks (the legend is on the panel's bottom edge); vertical lines mark task switches.
  Watch task 1's loss climb while task 2 trains.
- **loss matrix**: row *i* is the test MSE on every task right after task *i*; `x12` marks a
  loss twelve times what it was when that task was learned.
- The method picker shows each method's settings as the preset sets them.
""",
}
CLASSES = """\
# cftui

A small MLP learns a few classes, then the next task's, and **forgets** them: in the
class-incremental split (no task id at test) every old class at once.

- **{picture}** (left): {what}
- **test cross-entropy** (right): every task's test loss against step; vertical lines mark
  task switches.
- **accuracy matrix**: row *i* is the test accuracy on every task right after task *i*; the
  average and BWT below it.
- **x**: why it forgot, in the accuracy matrix's place: which class answers each task's
  classes (a confusion matrix, % of each row) and each class's mean logit as a bar.
"""
HELP["regions"] = CLASSES.format(
    picture="regions",
    what="the class the network answers at each point of the plane, tinted in that class's "
    "colour, and each task's test points as its marks (the task in training bold). Where an "
    "old class's region vanishes, the network forgot it.",
)
HELP["digits"] = CLASSES.format(
    picture="digits",
    what="test digits in half blocks with the answer under each (`=3` right, `✗7` wrong), "
    "the task in training's first.",
)


KEY_ROWS = (  # the help's key table: the actions of each row, what the row says they do
    (("next_task",), "next task (switch early, or leave a finished one)"),
    (("pause",), "pause / resume"),
    (("step_epoch",), "one epoch, while paused"),
    (("faster", "slower"), "pace: twice / half as fast"),
    (("full_pace",), "full pace"),
    (("auto_advance",), "auto-advance on / off (at a finished task: go on now)"),
    (("restart",), "restart the run (same data, same initial weights)"),
    (("reload_method",), "your method file (--method FILE.py): load it again, rerun the same"),
    (("traceback",), "after a training fault: its traceback"),
    (
        ("pick_method",),
        "method picker: restart with another method, same data and weights (`i` there: explain it)",
    ),
    (
        ("explain",),
        "why: the method explained, `i` again the data (idea, formula, settings, paper, measured)",
    ),
    (
        ("pick_compare",),
        "compare: tick 2 to 6 methods, trained side by side on the same data and weights",
    ),
    (
        ("turn_page(-1)", "turn_page(1)"),
        "side by side: the previous / next page of panels, when not all fit",
    ),
    (
        ("short_view",),
        "side by side on a short terminal (80x24): each panel's picture or its loss chart",
    ),
    (
        ("toggle_confusion",),
        "why classes are forgotten (2-D): which class answers each class's test points, and "
        "each class's mean logit, in the accuracy matrix's place (side by side: each picture's)",
    ),
    (("pick_preset",), "preset picker: restart with another preset"),
    (("toggle_log",), "loss axis log / linear"),
    (("screenshot",), "save an SVG screenshot"),
    (
        ("figures",),
        "save the figures of the view as PNG (data, losses, its picture, matrix; needs "
        "`cftui[figures]`)",
    ),
    (("export_csv",), "export the loss history and the loss matrix as CSV"),
    (("command_palette",), "every action by name, and `method: NAME`, `preset: NAME`"),
    (("help",), "this help"),
    (("quit",), "quit"),
)


KeyRows = tuple[tuple[tuple[str, ...], str], ...]  # (actions, what they do) per row


def key_rows(*actions: str) -> KeyRows:
    """The rows of KEY_ROWS whose first action is one of ``actions``, in KEY_ROWS' order: an
    app whose keys are a subset of the live app's (a replay) says them in the same words."""
    return tuple(row for row in KEY_ROWS if row[0][0] in actions)


def key_table(bindings: Iterable[Binding], rows: KeyRows = KEY_ROWS) -> str:
    """The help's key table, its keys read from ``bindings`` so that it cannot drift from
    them: a row shows the first key of each binding of its actions (", " between keys of
    one action, " / " between actions). A binding with no row, or a row with no binding,
    raises ValueError."""
    keys: dict[str, list[str]] = {}
    for binding in bindings:
        keys.setdefault(binding.action, []).append(format_key(binding.key.split(",")[0]))
    listed = [action for actions, _ in rows for action in actions]
    if set(keys) != set(listed):
        unlisted, unbound = sorted(set(keys) - set(listed)), sorted(set(listed) - set(keys))
        raise ValueError(f"key table: actions with no row {unlisted}, rows with no key {unbound}")
    table = [
        (" / ".join(", ".join(f"`{key}`" for key in keys[action]) for action in actions), does)
        for actions, does in rows
    ]
    return "\n".join(["| key | does |", "|---|---|", *(f"| {k} | {does} |" for k, does in table)])


class Help(ModalScreen[None]):
    """What the view shows, and a table of what each of ``bindings`` does (see key_table)."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "close")]

    def __init__(
        self, bindings: Iterable[Binding], rows: KeyRows = KEY_ROWS, picture: str = "fit"
    ) -> None:
        super().__init__()
        self.text = f"{HELP[picture]}\n{key_table(bindings, rows)}\n"

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield head("esc: close · ↑↓: scroll")
            with VerticalScroll():  # scrolls with the arrows on a small terminal
                yield Markdown(self.text)
