"""The one driver of live training: trainers stepped in a thread, paced, commanded, published.

A Runner drives one trainer (the single view) or several, one per method, side by side in
lockstep on the same data: every trainer gets the preset's data, each seed's initial weights
and each seed's batch order. It owns what a view needs around the training loop: the command
inbox, the pace, when to publish, and the rules every command follows. Trainers are stepped
in turn in one thread, so a comparison costs what running its methods one after another
costs. `n` moves every run to the next task; pause, one epoch, pace, auto-advance and restart
act on all. A run that ends its task waits for the others and they go on together; a run
that diverges stops there and the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import torch

from cftui.live.inbox import IDLE_POLL_S, Inbox
from cftui.live.pacing import Pace
from cftui.train.config import Config
from cftui.train.seed_data import SeedData
from cftui.train.snapshot import Command, Comparison, Snapshot, State
from cftui.train.trainer import EVALS_PER_TASK, Tick, Trainer

PUBLISH_HZ = 5  # snapshots (each with a fresh fit) per second while training: smooth
# enough to watch, and it keeps a remote terminal under 50 KB/s (benchmarks/RESULTS.md)
WAITING = (State.TASK_DONE, State.FINISHED, State.DIVERGED)  # a run that trains no more now
# Commands after which the pace counts from now: a resumed run does not make up for its
# pause, and a new pace holds from the step it was set at. Any other command leaves the
# schedule alone (a key pressed to no effect buys no step).
RESCHEDULE = (Command.TOGGLE_PAUSE, Command.SET_PACE)


class Runner(Inbox):
    def __init__(
        self,
        config: Config,
        device: str | torch.device = "cpu",
        *,
        methods: Sequence[str] = (),
        seeds: Sequence[int] | None = None,
        auto_advance: bool = True,
        pace: float | None = None,
    ) -> None:
        """``methods``: train these side by side and publish a Comparison; none: the config's
        method alone, published as a Snapshot. ``seeds``: each trainer trains them at once
        (None: the config's one seed, followed on a restart with a new config)."""
        super().__init__()
        self.methods, self.device = tuple(methods), torch.device(device)
        self.seeds = None if seeds is None else tuple(seeds)
        self.auto_advance, self.pace = auto_advance, Pace(pace)
        self._publish: Callable[[Snapshot | Comparison], None] = lambda s: None
        self._publish_due = 0.0
        self._runs = -1  # restarts so far: the snapshot's run number
        self._data: SeedData | None = None  # every trainer's draw, kept over restarts
        self._drawn_for: tuple = ()  # the data config and seeds it was drawn for
        self._build(config)
        self._emit()  # a snapshot to show before run() starts

    def run(
        self,
        publish: Callable[[Snapshot | Comparison], None] = lambda s: None,
        until_done: bool = True,
        every: int | None = None,
    ) -> Snapshot | Comparison:
        """Train every trainer a step at a time, in turn, publishing about PUBLISH_HZ times a
        second (or, given ``every``, every that many rounds: the same frames on every run, as
        a figure needs) and at every change of a run's state or task. Returns the last
        snapshot when stopped or (with ``until_done``) when every run has finished or
        diverged; without it, a finished runner waits for commands (a restart)."""
        self._publish = publish
        self.pace.restart(self._rounds)  # the pace counts from here, not from the build
        self._emit()
        while not self.stopping:
            self.apply_pending()
            if until_done and all(t.now.stopped for t in self.trainers):
                break
            training = [t for t in self.trainers if self._trains(t)]
            if not training:
                self.wait(IDLE_POLL_S)
                continue
            where = self._where()
            for trainer in training:
                self._resume(trainer)
            self._rounds += 1
            if self.auto_advance and self._all_waiting():
                self._advance()
            resting = not any(self._trains(t) for t in self.trainers)
            due = self._rounds % every == 0 if every else time.perf_counter() >= self._publish_due
            if resting or self._where() != where or due:
                self._emit()  # resting: after one epoch asked while paused, show where it is
            self._keep_pace(max(t.now.batches.per_epoch for t in training))
        return self.snapshot

    @property
    def snapshot(self) -> Snapshot | Comparison:
        return self._snapshot

    @property
    def train_seconds(self) -> float:
        return sum(t.now.train_seconds for t in self.trainers)

    # -- the trainers -----------------------------------------------------------------------

    def _build(self, config: Config) -> None:
        """A fresh trainer per method (the data drawn again only when it changed)."""
        self.config, self._runs, self._rounds = config, self._runs + 1, 0
        self.paused, self._epoch_owed = False, set()  # trainers owing one epoch asked with "."
        seeds = self.seeds or (config.data.seed,)
        if self._data is None or (config.data, seeds) != self._drawn_for:
            self._data = SeedData(config.data, seeds, self.device)
            self._drawn_for = (config.data, seeds)
        names = self.methods or (config.method.name,)
        self.trainers = [
            Trainer(config.with_overrides(method=name), self.device, data=self._data)
            for name in names
        ]
        self._set_evals()
        self.pace.restart(0)

    def _trains(self, trainer: Trainer) -> bool:
        """Whether a step is due: running, and not paused unless it owes an epoch."""
        running = trainer.now.state is State.RUNNING
        return running and (not self.paused or id(trainer) in self._epoch_owed)

    def _resume(self, trainer: Trainer) -> None:
        """The trainer's loop on by one step (or to its task's end or next task); an epoch
        owed while paused is paid once anything but a plain step comes back."""
        if next(trainer.loop, None) is not Tick.STEP:
            self._epoch_owed.discard(id(trainer))

    def _where(self) -> tuple[tuple[State, int], ...]:
        return tuple((t.now.state, t.now.task) for t in self.trainers)

    def _all_waiting(self) -> bool:
        states = [t.now.state for t in self.trainers]
        return State.TASK_DONE in states and all(state in WAITING for state in states)

    def _advance(self) -> None:
        """Every run waiting at its task's end on to the next task, as paused as before."""
        for trainer in self.trainers:
            if trainer.now.state is State.TASK_DONE:
                self._resume(trainer)
        self.pace.restart(self._rounds)  # a new task may have more steps per epoch (joint)

    def _next_task(self) -> None:
        """`n`: every run to the next task, ending the current one early where it trains."""
        if all(t.now.task == len(t.tasks) - 1 for t in self.trainers):
            return  # on the last task: nothing follows
        for trainer in self.trainers:
            if trainer.now.state is State.RUNNING and trainer.now.task < len(trainer.tasks) - 1:
                trainer.cut()
                self._resume(trainer)  # to the task's end, with no step
        self._advance()

    def _state(self) -> State:
        """Where the runs stand together: running while any trains."""
        states = {t.now.state for t in self.trainers}
        if State.RUNNING in states:
            return State.PAUSED if self.paused else State.RUNNING
        for state in (State.TASK_DONE, State.FINISHED):
            if state in states:
                return state
        return State.DIVERGED

    # -- commands and pace ---------------------------------------------------------------

    def apply(self, command: Command, arg: object) -> None:
        """Carry out ``command`` now, in the training thread (send() queues it for run())."""
        if command is Command.TOGGLE_PAUSE:
            if any(t.now.state is State.RUNNING for t in self.trainers):
                self.paused, self._epoch_owed = not self.paused, set()
        elif command is Command.STEP_EPOCH and self.paused:
            self._epoch_owed = {id(t) for t in self.trainers if t.now.state is State.RUNNING}
        elif command is Command.NEXT_TASK:
            self._next_task()
        elif command is Command.RESET:
            self._build(arg if isinstance(arg, Config) else self.config)
        elif command is Command.SET_PACE:
            self.pace.rate = arg
            self._set_evals()
        elif command is Command.SET_AUTO_ADVANCE:
            self.auto_advance = bool(arg)
            if self.auto_advance and self._all_waiting():
                self._advance()  # offered at a finished task as a way on: go on now
        if command in RESCHEDULE:
            self.pace.restart(self._rounds)
        if command is not Command.STOP:
            self._emit()

    def _set_evals(self) -> None:
        """Measure more often at a watchable pace: each new point is seen."""
        evals = EVALS_PER_TASK["full pace" if self.pace.rate is None else "paced"]
        for trainer in self.trainers:
            trainer.evals_per_task = evals

    def _keep_pace(self, steps_per_epoch: int) -> None:
        """Sleep until the next round is due, waking at once for a command and publishing
        when a snapshot falls due meanwhile; a sleep past the next snapshot's time shows
        where the run stands first (at a slow pace, every step). The run with the most steps
        per epoch keeps the pace; the others end their tasks first and wait."""
        if self.pace.rate is None or self._state() is not State.RUNNING:
            return
        due = self.pace.due(self._rounds, steps_per_epoch)
        if due > self._publish_due and self._shown_round != self._rounds:
            self._emit()
        while not self.stopping and self.pace.rate is not None:
            # asked again each pass: a command applied while waiting may change the pace
            ahead = self.pace.due(self._rounds, steps_per_epoch) - time.perf_counter()
            if ahead <= 0 or self._state() is not State.RUNNING:
                break
            self.wait(min(ahead, self._publish_due - time.perf_counter()))
            if time.perf_counter() >= self._publish_due:
                self._emit()

    def _emit(self) -> None:
        """Publish every run as it stands now: a Snapshot alone, or a Comparison."""
        self._publish_due = time.perf_counter() + 1.0 / PUBLISH_HZ
        self._shown_round = self._rounds
        live = dict(run=self._runs, paused=self.paused, pace=self.pace.rate)
        runs = tuple(t.take_snapshot(**live, auto_advance=self.auto_advance) for t in self.trainers)
        if self.methods:
            self._snapshot = Comparison(
                runs=runs,
                run=self._runs,
                state=self._state(),
                pace=self.pace.rate,
                auto_advance=self.auto_advance,
            )
        else:
            self._snapshot = runs[0]
        self._publish(self._snapshot)
