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
from textual.widgets import Static

from cftui.train import methods


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

    def action_traceback(self) -> None:
        if self.fault is not None:
            self.push_screen(TracebackPane(self.fault))
