"""The keys: what each does, and whether it can act now (the footer dims one that would do
nothing). Run control (each key one command to the source), the pickers (method, methods to
compare, preset), paging the comparison, the log/linear axis, the explain pane and the help,
and what is saved (an SVG screenshot, the losses as CSV). A mixin of CftuiApp, which holds
the source (cftui.live.source), the worker and the views.
"""

from __future__ import annotations

import time

from textual import work
from textual.binding import Binding
from textual.screen import ModalScreen

from cftui import figures
from cftui.live.pacing import bounded_pace, default_pace
from cftui.results import export
from cftui.train import catalog, methods, problem, validation
from cftui.train.config import Config
from cftui.train.snapshot import Command, State
from cftui.tui import files
from cftui.tui.compare_picker import ComparePicker
from cftui.tui.compare_view import CompareView
from cftui.tui.explain import ExplainScreen
from cftui.tui.method_files import FilePrompt
from cftui.tui.screens import OPEN_FILE, Help, Picker, method_picker, preset_picker
from cftui.tui.widgets.loss_chart import LossChart

SCREENSHOT_GAP_S = 1.0  # at most one screenshot a second, however fast "s" is pressed
KEY_BINDINGS = [  # in footer order, all of it within 80 columns
    Binding("n", "next_task", "next"),
    Binding("space", "pause", "pause", key_display="␣"),
    Binding("m", "pick_method", "method"),
    Binding("c", "pick_compare", "compare"),
    Binding("p", "pick_preset", "preset"),
    Binding("r", "restart", "rerun", show=False),  # the advice line offers it
    Binding("R", "reload_method", "reload method file", show=False),
    Binding("t", "traceback", "traceback", show=False),
    Binding("question_mark", "help", "help", key_display="?"),
    Binding("q", "quit", "quit"),
    Binding("plus,equals_sign", "faster", "pace", key_display="+/-"),
    Binding("minus", "slower", "slower", show=False),
    Binding("full_stop", "step_epoch", "one epoch", show=False),
    Binding("f", "full_pace", "full pace", show=False),
    Binding("a", "auto_advance", "auto-advance", show=False),
    Binding("l", "toggle_log", "log/linear", show=False),
    Binding("i", "explain", "why", show=False),
    Binding("s", "screenshot", "screenshot", show=False),
    Binding("g", "figures", "figures", show=False),  # no room in 80 columns: ? says it
    Binding("e", "export_csv", "export CSV", show=False),
    Binding("left,pageup", "turn_page(-1)", "page", show=False),
    Binding("right,pagedown", "turn_page(1)", "page", show=False),
    Binding("v", "short_view", "pictures/charts", show=False),
    Binding("x", "toggle_confusion", "why forgotten", show=False),
    Binding("ctrl+c", "quit", "quit", show=False, priority=True),
]


class Keys:
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """While a picker or the help is open, only it and quit take keys; once quitting,
        no key starts anything (keys typed after q arrive while the app shuts down)."""
        if self.quitting:
            return False
        if not self.ready:  # the runner is being built, or building it failed
            fixes = ("restart", "reload_method", "traceback")  # a fault, or a file to fix
            return action in ("quit", "help") or (action in fixes and bool(self.error))
        if action == "turn_page" and not (self.compare and self.query_one(CompareView).pages > 1):
            return False
        if action == "short_view" and not (self.compare and self.query_one(CompareView).short):
            return False
        if isinstance(self.screen, ModalScreen):
            return action == "quit"
        return True if self.acts_now(action) else None  # None: in the footer, dimmed

    def acts_now(self, action: str) -> bool:
        """Whether ``action`` would change anything in the run as it stands, so the footer
        dims a key that would do nothing (space at a finished task, + at full pace)."""
        snap = self.snapshot
        last = snap.task == len(snap.scene.tasks) - 1
        return {
            "pause": snap.state in (State.RUNNING, State.PAUSED),
            "step_epoch": snap.state is State.PAUSED,
            "faster": snap.pace is not None,
            "full_pace": snap.pace is not None,
            "next_task": not last and snap.state in (State.RUNNING, State.PAUSED, State.TASK_DONE),
        }.get(action, True)

    @property
    def ready(self) -> bool:
        return self.source is not None and self.snapshot is not None

    def action_next_task(self) -> None:
        self.source.send(Command.NEXT_TASK)

    def action_pause(self) -> None:
        self.source.send(Command.TOGGLE_PAUSE)

    def action_step_epoch(self) -> None:
        self.source.send(Command.STEP_EPOCH)

    def _set_pace(self, pace: float | None) -> None:
        self.source.send(Command.SET_PACE, None if pace is None else bounded_pace(pace))

    def action_faster(self) -> None:
        pace = self.snapshot.pace
        if pace is not None:
            self._set_pace(pace * 2)

    def action_slower(self) -> None:
        pace = self.snapshot.pace
        self._set_pace(default_pace(self.snapshot.scene.config) if pace is None else pace / 2)

    def action_full_pace(self) -> None:
        self._set_pace(None)

    def action_auto_advance(self) -> None:
        self.source.send(Command.SET_AUTO_ADVANCE, not self.snapshot.auto_advance)

    def action_restart(self) -> None:
        self._restart_with(self.snapshot.scene.config if self.snapshot else self.config)

    def action_toggle_log(self) -> None:
        if self.compare:
            log = self.query_one(CompareView).toggle_log()
        else:
            log = self.query_one("#side LossChart", LossChart).toggle_log()
        self.notify(f"loss axis: {'log10' if log else 'linear'}", timeout=2)

    def say(self, message: str, ok: bool = True) -> None:
        """A notification whose paths break at their separators, not mid-word (a toast is
        at most 60 columns or half the screen; its edge, padding and a last column that
        Textual keeps free take 4)."""
        width = min(60, self.size.width // 2) - 4
        text = files.wrap_at_separators(message, width)
        self.notify(text, severity="information" if ok else "error", timeout=6, markup=False)

    def use_method(self, name: str) -> None:
        """Restart with method ``name``: same data, same initial weights (from a comparison:
        back to the single view, with that method)."""
        config = self.snapshot.scene.config.with_overrides(method=name)
        if self.compare:
            self._switch_view((), config)
        else:
            self._restart_with(config)

    def use_methods(self, names: tuple[str, ...]) -> None:
        """Compare ``names`` side by side, from the start: same data, same initial weights."""
        self._switch_view(names, self.snapshot.scene.config)

    def use_preset(self, config: Config) -> None:
        """Restart with a preset's ``config``, the command-line flags and the method (or the
        methods side by side) kept: those its scenario can run; naive in place of one it
        cannot (a task-aware method on a split that gives no task id)."""
        method = self.snapshot.scene.config.method.name
        if why := validation.unfit_method(config, method):
            self.notify(f"{why}: naive instead", timeout=6)
            method = "naive"
        config = config.with_overrides(**{**self.overrides, "method": method})
        kept = tuple(name for name in self.compare if name in validation.fitting_methods(config))
        if kept == self.compare:
            self._restart_with(config)
        else:
            self._switch_view(kept if len(kept) > 1 else (), config)

    def action_pick_method(self) -> None:
        picker = method_picker(self.snapshot.scene.config)
        self.push_screen(picker, self._picked_method)

    def _picked_method(self, name: str | None) -> None:
        if name == OPEN_FILE:
            self.push_screen(FilePrompt(), self.open_method_file)
        elif name:
            self.use_method(name)

    def action_pick_compare(self) -> None:
        ticked = self.compare or tuple(
            dict.fromkeys(("naive", self.snapshot.scene.config.method.name))
        )
        fitting = validation.fitting_methods(self.snapshot.scene.config)
        picker = ComparePicker(ticked, fitting)
        self.push_screen(picker, lambda names: names and self.use_methods(names))

    def action_turn_page(self, pages: int) -> None:
        self.query_one(CompareView).turn(pages)

    def action_short_view(self) -> None:
        self.query_one(CompareView).toggle_short_view()

    def action_toggle_confusion(self) -> None:
        """Why class-incremental learning forgets: the confusion matrix and each class's
        mean logit in place of the accuracy matrix (side by side, of each method's picture);
        pressed again, back. A regression has no classes: it says so."""
        view = self.query_one(CompareView) if self.compare else self.query_one("#side")
        if not view.has_class("-confusion") and not problem.of(self.snapshot.scene.config).score:
            self.notify("no confusion matrix: a regression answers no class", timeout=3)
            return
        view.toggle_class("-confusion")

    def action_pick_preset(self) -> None:
        entries = catalog.available()
        presets = {entry.name: entry.config for entry in entries}
        picker = preset_picker(entries, self.snapshot.scene.config)
        self.push_screen(picker, lambda name: presets.get(name) and self.use_preset(presets[name]))

    def action_screenshot(self) -> None:
        if time.monotonic() - self._last_screenshot < SCREENSHOT_GAP_S:
            return
        self._last_screenshot = time.monotonic()
        self.clear_notifications()  # a toast on screen is no part of the picture
        self.call_after_refresh(self._save_screenshot)

    def _save_screenshot(self) -> None:
        stem = export.file_stem(self.snapshot.scene.config, self.compare)
        saved, said = files.save_screenshot(self.export_screenshot(), stem)
        self.say(said, saved)

    def action_explain(self) -> None:
        """What the method on screen does and why, and the data family (a tab away); side by
        side, the method chosen from those compared."""
        if not self.compare:
            self.push_screen(ExplainScreen(self.snapshot.scene.config))
            return
        entries = [(name, methods.info(name).summary, True) for name in self.compare]
        picker = Picker("explain which method?", entries, self.compare[0])
        self.push_screen(picker, self.explain_method)

    def explain_method(self, name: str | None) -> None:
        if name:
            self.push_screen(ExplainScreen(self.snapshot.scene.config, name))

    def action_help(self) -> None:
        """The help's key table: the keys and rows of the nearest app class that says its
        own (HELP_ROWS: the live app's, a replay's; the tour's own keys are on its step line)."""
        app = next(cls for cls in type(self).__mro__ if "HELP_ROWS" in vars(cls))
        palette = Binding(app.COMMAND_PALETTE_BINDING, "command_palette")
        picture = problem.of(self.config).picture  # what the view shows, before a snapshot too
        self.push_screen(Help([*app.BINDINGS, palette], app.HELP_ROWS, picture))

    def action_export_csv(self) -> None:
        """The loss history and the loss matrix as CSV in the current folder (one pair per
        method side by side); the paths are shown."""
        saved, said = export.save_here(self.snapshot)
        self.say(said, saved)

    def action_figures(self) -> None:
        """The article's figures of the view on screen, as PNG files where "s" saves
        screenshots; matplotlib draws them in a thread (a second or two: the app stays live)."""
        self.notify("drawing the figures…", timeout=3)
        stem = export.file_stem(self.snapshot.scene.config, self.compare)
        self._save_figures(self.snapshot, stem)

    @work(thread=True, exclusive=True, group="figures")
    def _save_figures(self, shown: object, stem: str) -> None:
        try:
            saved, said = figures.save_here(shown, stem)
        except Exception as err:  # a drawing fault is said, never the end of the app
            saved, said = False, f"figures not saved: {type(err).__name__}: {err}"
        self.call_from_thread(self.say, said, saved)
