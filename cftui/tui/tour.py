"""The tour in the app: the live view plus a text panel, → / enter for the next step, ← back.

A step sets itself up with the runner's own commands: no auto-advance, full pace, a reset
with the step's preset and method; then, as snapshots come in, the tasks before the one on
screen are left as soon as they finish (NEXT_TASK), and the last of them hands over to the
default pace when the step shows a task training. So a step never waits on the one before
it. Snapshots of a run the tour has since replaced are ignored. A step naming several
methods shows them side by side (the app's compare view, a new runner: the step is set up
once it is built). While a remedy's task trains, the advice line says what the step shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from cftui.live.pacing import default_pace
from cftui.train import catalog, explain
from cftui.train.config import Config
from cftui.train.snapshot import Command, Comparison, Snapshot, State
from cftui.tui.app import CftuiApp
from cftui.tui.compare_view import CompareView
from cftui.tui.tour_steps import STEPS, Show, Step


class TourApp(CftuiApp):
    DEFAULT_CSS = """
    #tour { height: auto; max-height: 6; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("right,enter", "tour_next", "next step", key_display="→"),
        Binding("left", "tour_back", "back", key_display="←"),
        # The tour sets the method and the preset: their pickers still work, unnamed in the
        # footer, which then holds the tour's keys within 80 columns.
        Binding("m", "pick_method", "method", show=False),
        Binding("c", "pick_compare", "compare", show=False),
        Binding("p", "pick_preset", "preset", show=False),
    ]

    def __init__(
        self,
        device: str = "auto",
        *,
        steps: Sequence[Step] = STEPS,
        start: int = 0,
        prepare: Callable[[Config], Config] = lambda config: config,
    ) -> None:
        """``start``: the index of the first step; ``prepare`` changes every step's config
        (the command line's flags, or a test's smaller network)."""
        self.steps, self.prepare, self.index = steps, prepare, start
        self.applied: int | None = None  # the step whose setup the runner was sent
        self.expected_run = 0  # snapshots of earlier runs belong to a replaced setup
        self.advanced: tuple[int, int] | None = None  # (run, task) that NEXT_TASK was sent at
        super().__init__(
            self.config_of(start), device, pace=None, paused=True, compare=self.compared(start)
        )

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def config_of(self, index: int) -> Config:
        step = self.steps[index]
        return self.prepare(catalog.resolve(step.preset)).with_overrides(method=step.methods[0])

    def compared(self, index: int) -> tuple[str, ...]:
        """The methods step ``index`` shows side by side; none for one method."""
        methods = self.steps[index].methods
        return methods if len(methods) > 1 else ()

    def compose(self):
        yield from super().compose()
        yield Static(self.step_text(), id="tour")

    def on_mount(self) -> None:
        self.query_one(CompareView).page_keys = "pgup/pgdn"  # ←/→ move through the tour

    def step_text(self) -> Text:
        step, config = self.step, self.config_of(self.index)
        effect = (  # side by side, the table below the panels has the numbers, live
            "" if self.compared(self.index) else explain.effect_line(config, step.methods[0])
        )
        last = self.index == len(self.steps) - 1  # offers only the keys that move
        moves = ("" if last else " · →/enter: next") + (" · ←: back" if self.index else "")
        return Text.assemble(
            (f"{self.index + 1}/{len(self.steps)} {step.title}", "bold"),
            f"{moves} · i: why\n",
            step.text + "\n" * bool(effect),
            (effect, "dim"),
        )

    # -- moving -----------------------------------------------------------------------------

    def status_advice(self) -> str | None:
        """While the step's task trains, what the step shows (a remedy holds task 1's
        loss); else the advice for the run's state."""
        snap, step = self.snapshot, self.step
        if step.watch and snap and snap.state is State.RUNNING and snap.task == step.task:
            return step.watch
        return None

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("tour_next", "tour_back"):  # before the runner is ready, too
            there = self.index + (1 if action == "tour_next" else -1)
            free = not self.quitting and not isinstance(self.screen, ModalScreen)
            return free and 0 <= there < len(self.steps)  # none past the last step
        return super().check_action(action, parameters)

    def action_tour_next(self) -> None:
        self.go(self.index + 1)

    def action_tour_back(self) -> None:
        self.go(self.index - 1)

    def go(self, index: int) -> None:
        if not 0 <= index < len(self.steps):  # check_action keeps the keys from it
            return
        self.index = index
        self.refresh_bindings()  # the footer offers → and ← where there is a step
        self.set_up()

    def set_up(self) -> None:
        """Send the runner this step's setup (once it is built: draw() sends it then)."""
        self.query_one("#tour", Static).update(self.step_text())
        step, config = self.step, self.config_of(self.index)
        if self.compared(self.index) != self.compare:  # one view to the other: a new runner
            self.applied, self.expected_run, self.advanced = None, 0, None
            self._switch_view(self.compared(self.index), config)
            return
        if not self.ready:
            return
        live = step.show is not Show.TRAINED and step.task == 0
        self.source.send(Command.SET_AUTO_ADVANCE, False)
        self.source.send(Command.SET_PACE, default_pace(config) if live else None)
        self.source.send(Command.RESET, config)
        if step.paused:
            self.source.send(Command.TOGGLE_PAUSE)
        self.expected_run = max(self.expected_run, self.snapshot.run) + 1
        self.applied = self.index

    # -- following the run ------------------------------------------------------------------

    def draw(self, snap: Snapshot | Comparison) -> None:
        super().draw(snap)
        if self.applied is None:
            self.set_up()  # the runner is ready now
        elif snap.run >= self.expected_run:
            self.follow(snap)

    def follow(self, snap: Snapshot | Comparison) -> None:
        """Leave each task before the one on screen as soon as it is done; at the last of
        them, slow to the default pace if the step shows its task training."""
        step = self.step
        if snap.state is State.TASK_DONE and snap.task < step.task:
            if self.advanced == (snap.run, snap.task):
                return  # NEXT_TASK is on its way
            self.advanced = (snap.run, snap.task)
            if snap.task == step.task - 1 and step.show is Show.TRAINING:
                self.source.send(Command.SET_PACE, default_pace(snap.scene.config))
            self.source.send(Command.NEXT_TASK)
