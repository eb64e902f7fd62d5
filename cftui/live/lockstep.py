"""Several methods trained side by side, in lockstep, on the same data.

Each method is an Engine of its own, built from one config that differs only in the method:
so every run has the preset's data, each seed's initial weights and each seed's batch order.
One loop steps them in turn, in one thread, so a comparison costs what running them one
after another costs. Commands act on all of them: `n` moves every run to the next task, and
pause, one epoch, pace, auto-advance and restart do what they do to one run. A run that ends
its task waits for the others, and they go on together. A run that diverges stops there; the
others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import torch

from cftui.live.inbox import Inbox
from cftui.live.pacing import Pace
from cftui.train.config import Config
from cftui.train.engine import IDLE_POLL_S, PUBLISH_HZ, Engine
from cftui.train.snapshot import Command, Comparison, State

WAITING = (State.TASK_DONE, State.FINISHED, State.DIVERGED)  # a run that trains no more now


class Lockstep(Inbox):
    def __init__(
        self,
        config: Config,
        methods: Sequence[str],
        device: str | torch.device = "cpu",
        *,
        seeds: Sequence[int] | None = None,
        auto_advance: bool = True,
        pace: float | None = None,
    ) -> None:
        """One Engine per name in ``methods``; ``seeds`` as in Engine (each run trains them
        all at once, and shows their median with the range around it)."""
        super().__init__()
        self.methods, self.device, self.seeds = tuple(methods), torch.device(device), seeds
        self.auto_advance = auto_advance
        self.pace = Pace(pace)
        self._publish: Callable[[Comparison], None] = lambda c: None
        self._publish_due = 0.0
        self._runs = -1
        self._build(config)

    def run(
        self, publish: Callable[[Comparison], None] = lambda c: None, until_done: bool = True
    ) -> Comparison:
        """Train every run a step at a time, in turn, publishing a Comparison about
        PUBLISH_HZ times a second and at every change of state."""
        self._publish = publish
        self._emit()
        while not self.stopping:
            self.apply_pending()
            if until_done and all(engine.now.stopped for engine in self.engines):
                break
            training = [engine for engine in self.engines if engine.now.training]
            if not training:
                self.wait(IDLE_POLL_S)
                continue
            states = self._states()
            for engine in training:
                engine.step()
            self._steps += 1
            if self.auto_advance and self._all_waiting():
                self._next_task()
            resting = not any(engine.now.training for engine in self.engines)
            if resting or self._states() != states or time.perf_counter() >= self._publish_due:
                self._emit()  # resting: after one epoch asked while paused, show where it is
            self._keep_pace(max(engine.now.batches.per_epoch for engine in training))
        return self.snapshot

    @property
    def snapshot(self) -> Comparison:
        return self._snapshot

    @property
    def train_seconds(self) -> float:
        return sum(engine.train_seconds for engine in self.engines)

    # -- the runs --------------------------------------------------------------------------

    def _build(self, config: Config) -> None:
        """A fresh run per method. Each engine advances only when told: the lockstep moves
        them on together."""
        self.config = config
        self._runs += 1
        self._steps = 0  # lockstep rounds, what the pace counts
        self._paused = False
        self.engines = [
            Engine(
                config.with_overrides(method=name),
                self.device,
                seeds=self.seeds,
                auto_advance=False,
                pace=self.pace.rate,
            )
            for name in self.methods
        ]
        self.pace.restart(0)
        self._emit()

    def _states(self) -> tuple[State, ...]:
        return tuple(engine.now.state for engine in self.engines)

    def _all_waiting(self) -> bool:
        states = self._states()
        return State.TASK_DONE in states and all(state in WAITING for state in states)

    def _state(self) -> State:
        states = self._states()
        for state in (State.RUNNING, State.PAUSED, State.TASK_DONE, State.FINISHED):
            if state in states:
                return state
        return State.DIVERGED

    def _each(self, command: Command, arg: object = None) -> None:
        for engine in self.engines:
            engine.apply(command, arg)

    def _next_task(self) -> None:
        """Every run to the next task (ending the current one early where it still trains);
        when the comparison is paused, every run stays paused there."""
        self._each(Command.NEXT_TASK)
        if self._paused:
            for engine in self.engines:
                if engine.now.state is State.RUNNING:
                    engine.apply(Command.TOGGLE_PAUSE, None)

    # -- commands and pace ---------------------------------------------------------------

    def apply(self, command: Command, arg: object) -> None:
        """Carry out ``command`` on every run, in the training thread."""
        if command is Command.TOGGLE_PAUSE:
            if any(engine.now.state in (State.RUNNING, State.PAUSED) for engine in self.engines):
                self._paused = not self._paused
                for engine in self.engines:
                    if (engine.now.state is State.PAUSED) != self._paused:
                        engine.apply(command, arg)
        elif command is Command.STEP_EPOCH:
            self._each(command, arg)
        elif command is Command.NEXT_TASK:
            self._next_task()
        elif command is Command.RESET:
            self._build(arg if isinstance(arg, Config) else self.config)
        elif command is Command.SET_PACE:
            self.pace.rate = arg
            self._each(command, arg)  # each engine measures more often at a watchable pace
        elif command is Command.SET_AUTO_ADVANCE:
            self.auto_advance = bool(arg)
            if self.auto_advance and self._all_waiting():
                self._next_task()
        if command is not Command.STOP:
            self.pace.restart(self._steps)
            self._emit()

    def _keep_pace(self, steps_per_epoch: int) -> None:
        """Sleep until the next round is due, waking at once for a command. The run with the
        most steps per epoch keeps the pace; the others end their tasks first and wait."""
        if self.pace.rate is None or self._state() is not State.RUNNING:
            return
        due = self.pace.due(self._steps, steps_per_epoch)
        while not self.stopping and self.pace.rate is not None:
            ahead = due - time.perf_counter()
            if ahead <= 0 or self._state() is not State.RUNNING:
                break
            self.wait(min(ahead, self._publish_due - time.perf_counter()))
            if time.perf_counter() >= self._publish_due:
                self._emit()

    def _emit(self) -> None:
        self._publish_due = time.perf_counter() + 1.0 / PUBLISH_HZ
        for engine in self.engines:  # each as it stands now, not at its own last publish
            engine.emit()
        self._snapshot = Comparison(
            runs=tuple(engine.snapshot for engine in self.engines),
            run=self._runs,
            state=self._state(),
            pace=self.pace.rate,
            auto_advance=self.auto_advance,
        )
        self._publish(self._snapshot)
