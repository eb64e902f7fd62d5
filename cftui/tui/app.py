"""The live app: a Source (a Runner, or a replay Player) runs in a thread worker; snapshots
come back as messages.

The training loop never waits on the UI: it posts a message (thread-safe, non-blocking) a
few times a second (runner.PUBLISH_HZ), and a newer snapshot replaces one still waiting in
the queue, so the UI draws only the latest. Keys become commands to the source; the UI never
touches the model. torch loads in the worker too (about 1.6 s here): the first frame, and a
`q` pressed while it loads, do not wait for it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Footer, Static
from textual.worker import Worker, WorkerState

from cftui.train import problem
from cftui.train.config import Config
from cftui.train.snapshot import Command, Comparison, Snapshot
from cftui.tui import files
from cftui.tui.commands import RunProvider, system_commands
from cftui.tui.compare_view import CompareView
from cftui.tui.keys import KEY_BINDINGS, Keys
from cftui.tui.method_files import MethodFiles
from cftui.tui.screens import KEY_ROWS
from cftui.tui.widgets.confusion import ConfusionPlot
from cftui.tui.widgets.loss_chart import LossChart
from cftui.tui.widgets.matrix import LossMatrix
from cftui.tui.widgets.pictures import Pictures
from cftui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from cftui.live.source import Source
    from cftui.results.record import Recorder

MIN_SIZE = (50, 15)  # columns, rows: below this the panels give way to a notice
RESTART = " — r: restart"  # the end of a training error's line on screen


class SnapshotReady(Message):
    def __init__(self, snapshot: Snapshot | Comparison, source: object) -> None:
        """``source``: the Source that published it; one stopped for a new one may still
        publish its last snapshot, which is then dropped."""
        super().__init__()
        self.snapshot, self.source = snapshot, source

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotReady)


class CftuiApp(MethodFiles, Keys, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "cftui"
    COMMANDS = App.COMMANDS | {RunProvider}
    get_system_commands = system_commands
    # Screen classes that app.tcss uses to swap the panels for a notice below MIN_SIZE.
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-too-narrow"), (MIN_SIZE[0], "-wide-enough")]
    VERTICAL_BREAKPOINTS: ClassVar = [(0, "-too-short"), (MIN_SIZE[1], "-tall-enough")]
    HELP_ROWS = KEY_ROWS  # what ? says each key does
    BINDINGS = KEY_BINDINGS  # keys.py: what each key does, and when it can

    def __init__(
        self,
        config: Config,
        device: str,
        *,
        overrides: dict | None = None,
        pace: float | None,
        auto_advance: bool = False,
        paused: bool = False,
        compare: tuple[str, ...] = (),
        seeds: int = 1,
        recorder: Recorder | None = None,
        threads: int | None = None,
    ) -> None:
        """``device`` is a name for devices.resolve ("auto", "cpu", "cuda:0", ...), resolved
        in the worker. ``pace`` in epochs per second (None: full pace; pacing.default_pace
        is one task in SECONDS_PER_TASK). ``overrides`` are the command-line flags, applied
        again to a preset picked later. ``compare``: methods to train side by side (the
        single view when empty); ``seeds``: each run trains that many seeds at once, from the
        config's seed, and shows their median with their range. ``recorder`` writes every
        snapshot the app is sent to a file, for `cftui replay`. ``threads``: torch's CPU
        threads per step (--threads; None: cftui.train.threads decides per run)."""
        super().__init__()
        self.overrides = overrides or {}
        self.device = device
        self.config = config
        self.compare = compare
        self.seeds = seeds
        self.recorder = recorder
        self.threads = threads
        self.source: Source | None = None  # what trains (a Runner) or replays
        self.worker: Worker | None = None  # the training worker, once started
        self.snapshot: Snapshot | Comparison | None = None
        self.start = dict(auto_advance=auto_advance, pace=pace, paused=paused)
        self.error = ""
        self._last_screenshot = 0.0
        self.quitting = False

    def compose(self) -> ComposeResult:
        yield StatusLine(self.seeds, self.recorder.path.name if self.recorder else "")
        yield Static(
            f"terminal too small: cftui needs {MIN_SIZE[0]}x{MIN_SIZE[1]} or more", id="too-small"
        )
        with ContentSwitcher(initial="compare" if self.compare else "main", id="views"):
            with Horizontal(id="main"):
                yield Pictures(problem.of(self.config).picture, id="pictures")
                with Vertical(id="side"):
                    yield LossChart()
                    yield LossMatrix()
                    yield ConfusionPlot()  # x: in the matrix's place
            yield CompareView(id="compare")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for picture in self.query(".picture"):
            picture.border_title = picture.id
        self.show_status()
        self.worker = self.train()

    # -- the worker and its snapshots ------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, name="training")
    def train(self) -> None:
        """Build the source if there is none, then run it until stopped. A quit is noticed
        between the slow steps of the build: the source is set before ``quitting`` is read,
        and action_quit sets ``quitting`` before it stops the source, so one of the two
        sees the other."""
        if self.source is None:
            self.source = self._build_source()
        source = self.source
        if source is not None and not self.quitting:
            publish = lambda snap: self.post_message(SnapshotReady(snap, source))  # noqa: E731
            if self.recorder is not None:
                publish = self.recorder.around(publish)
            source.run(publish, until_done=False)

    def _build_source(self) -> Source | None:
        """The Runner (of one trainer, or of one per method side by side), or None when the
        app began quitting while torch loaded."""
        from cftui.live.runner import Runner
        from cftui.train import devices, threads

        device = devices.resolve(self.device)
        threads.apply(self.config, self.seeds, device, self.threads)
        if self.quitting:
            return None
        first = self.config.data.seed
        seeds = range(first, first + self.seeds) if self.seeds > 1 else None
        source = Runner(
            self.config,
            device,
            methods=self.compare,
            seeds=seeds,
            auto_advance=self.start["auto_advance"],
            pace=self.start["pace"],
        )
        if self.start["paused"]:
            source.send(Command.TOGGLE_PAUSE)
        return source

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        """Draw what the current source published; not once the app is shutting down (its
        screens close before its last messages are handled: no panel is left to draw on)."""
        if message.source is self.source and self.is_running:
            self.draw(message.snapshot)

    def draw(self, snap: Snapshot | Comparison) -> None:
        was, self.snapshot = self.snapshot, snap
        self.show_status()
        if was is None or (was.state, was.pace, was.task) != (snap.state, snap.pace, snap.task):
            # a change of state (a key's answer) goes on screen alone, first: the panels and
            # the footer (which Textual rebuilds whole) follow one frame later; drawn with
            # them, they held a key's answer back by half its latency
            self.call_after_refresh(self._after_change)
            return
        self.draw_panels(snap)

    def _after_change(self) -> None:
        self.refresh_bindings()  # the footer shows what the keys can do now
        if self.snapshot is not None:  # none: a new runner began meanwhile (_start)
            self.draw_panels(self.snapshot)  # the latest: another may have come meanwhile

    def draw_panels(self, snap: Snapshot | Comparison) -> None:
        if isinstance(snap, Comparison):
            self.query_one(CompareView).show(snap)
            return
        self.query_one(Pictures).show(snap)
        self.query_one(LossChart).show(snap)
        self.query_one(LossMatrix).show(snap)
        self.query_one(ConfusionPlot).show(snap)  # draws only while shown

    def show_status(self) -> None:
        status = self.query_one(StatusLine)
        if self.snapshot is None:
            status.starting(self.config, self.error, self.status_advice())
        else:
            status.show(self.snapshot, self.error, self.status_advice())

    def status_advice(self) -> str | None:
        """The status line's second line, where the app has its own (a replay); None: the
        advice for the run's state."""
        return None

    @on(Worker.StateChanged)
    def worker_changed(self, event: Worker.StateChanged) -> None:
        """The one place training faults arrive: say what happened, keep the app alive."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        where = files.save_traceback(error)
        said = f"training stopped: {type(error).__name__}: {error}{where}{RESTART}"
        self.error = self.fault_line(error) or said  # a method file's: its file and line
        self.refresh_bindings()
        self.show_status()
        self.notify(self.error, severity="error", timeout=10)

    def _handle_exception(self, error: Exception) -> None:
        """An error no handler caught (Textual's hook, which ends the app): its traceback
        goes to a log, not over the terminal, and exit_code() gives its line."""
        self.error = f"{type(error).__name__}: {error}{files.save_traceback(error)}"
        super()._handle_exception(error)
        self._exit_renderables.clear()  # Textual's traceback, printed when run() ends

    def exit_code(self) -> int:
        """After run(): 1, with the error's line and its log on stderr, when the app stopped
        on an error (a training fault still shown at quit, or one no handler caught)."""
        if not self.error:
            return 0
        print(f"cftui: error: {self.error.removesuffix(RESTART)}", file=sys.stderr)
        return 1

    def _restart_with(self, config: Config) -> None:
        """Rerun ``config`` in the running worker, or in a new runner if the worker died."""
        if self.worker is not None and self.worker.is_running and self.source is not None:
            self.error = ""
            self.source.send(Command.RESET, config)
            return
        self._start(config)

    def _start(self, config: Config) -> None:
        """A new runner, in a new worker, for ``config`` (and self.compare). The run on screen
        hands on its pace and auto-advance; the new one starts unpaused."""
        if (snap := self.snapshot) is not None:
            self.start = dict(auto_advance=snap.auto_advance, pace=snap.pace, paused=False)
        self.error = ""
        self.config, self.source, self.snapshot = config, None, None
        self.query_one(ContentSwitcher).current = "compare" if self.compare else "main"
        self.refresh_bindings()
        self.show_status()
        self.worker = self.train()

    def _switch_view(self, compare: tuple[str, ...], config: Config) -> None:
        """From one method to a comparison, between comparisons, or back: a new runner."""
        self.stop_source()
        self.compare = compare
        self._start(config)

    async def action_quit(self) -> None:
        self.quitting = True
        self.stop_source()
        self.exit()

    def on_unmount(self) -> None:
        self.quitting = True
        self.stop_source()

    def stop_source(self) -> None:
        if self.source is not None:
            self.source.stop()
