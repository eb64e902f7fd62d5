"""The edit -> watch loop for a method of your own: R loads its file again and reruns with the
same data and initial weights (the seeds are the config's); a hook that raised names its file
and line on the status line, and t shows the traceback in a pane. A mixin of CftuiApp.

Only files the user named (--method, --compare) are loaded again: a reload is the same
explicit choice, repeated. A file that no longer loads says why and changes nothing: the
run on screen goes on with the class it had.
"""

from __future__ import annotations

import traceback

from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cftui.train import methods, validation


class TracebackPane(ModalScreen[None]):
    """A training fault's traceback, to read (scrolls; escape closes)."""

    DEFAULT_CSS = """
    TracebackPane { align: center middle; }
    TracebackPane .dialog { width: 95%; height: 90%; border: round $error; }
    """
    BINDINGS = [Binding("escape,q,t", "dismiss(None)", "close")]

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.text = "".join(traceback.format_exception(error))

    def compose(self):
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "traceback · esc: close · R: reload the method file"
            with VerticalScroll():
                yield Static(self.text, markup=False)


class FilePrompt(ModalScreen[str | None]):
    """The method picker's "open a file…": the path of a method file (enter), or escape."""

    DEFAULT_CSS = """
    FilePrompt { align: center middle; }
    FilePrompt .dialog { width: 80; height: auto; border: round $accent; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel")]

    def compose(self):
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = "open a method file · enter: load and run it · esc: cancel"
            yield Input(placeholder="./mine.py (cftui methods new mine writes one)")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class MethodFiles:
    fault: BaseException | None = None  # the last training fault, for the pane

    def files_in_use(self) -> list[str]:
        """The method files the run on screen uses (its method, or those compared)."""
        names = self.compare or (self.config.method.name,)
        return [path for name, path in methods.files().items() if name in names]

    def fault_line(self, error: BaseException) -> str:
        """What the status line says of a training fault: a method file's, its file and
        line; any other, as before (its traceback saved)."""
        self.fault = error
        line = methods.outside.blame(error, methods.files().values())
        if line is None:
            return ""
        return f"training stopped: {line} — t: traceback, R: reload the file"

    def action_reload_method(self) -> None:
        paths = self.files_in_use()
        if not paths:
            self.notify("no method file to reload: name one with --method ./FILE.py", timeout=4)
            return
        try:
            for path in paths:
                methods.use_file(path)
        except methods.outside.MethodLoadError as err:
            self.error = f"reload failed: {err}"
            self.show_status()
            self.notify(self.error, severity="error", timeout=10, markup=False)
            return
        self.fault = None
        config = self.snapshot.scene.config if self.snapshot else self.config
        self.stop_source()
        self._start(config)  # a new runner: the reloaded class, the same data and weights

    def open_method_file(self, path: str | None) -> None:
        """The picker's "open a file…": load the file the user typed and run it (same data,
        same weights); one that does not load says why, and the run goes on."""
        if not path:
            return
        try:
            name = methods.use_file(path)
        except methods.outside.MethodLoadError as err:
            self.notify(str(err), severity="error", timeout=10, markup=False)
            return
        if why := validation.unfit_method(self.snapshot.scene.config, name):
            self.notify(why, severity="error", timeout=10, markup=False)
            return
        self.use_method(name)

    def action_traceback(self) -> None:
        if self.fault is not None:
            self.push_screen(TracebackPane(self.fault))
