"""The training loop, shared by the TUI, the headless CLI, the benchmark and the tests.

It trains one run (run_state.RunState) of one or more seeds an optimizer step at a time,
measures every task's test MSE on a cadence, and publishes immutable Snapshots. Commands
arrive through one thread-safe queue and are applied between steps, so a UI never touches
the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from cftui.live.inbox import Inbox
from cftui.live.pacing import Pace
from cftui.train.config import Config
from cftui.train.measure import Measure
from cftui.train.run_state import Batches, RunState
from cftui.train.seed_data import SeedData
from cftui.train.snapshot import Command, Divergence, Scene, SeedView, Snapshot, State

# Test measurements per task when [train] eval_every = 0. One costs about a third of a
# training step, so at full pace they are few. At a watchable pace the engine mostly sleeps;
# there each new point redraws the loss chart, and 20 per task keep a remote terminal
# under 50 KB/s (100 per task sent 65 KB/s: benchmarks/RESULTS.md).
EVALS_PER_TASK = {"full pace": 10, "paced": 20}
IDLE_POLL_S = 0.1  # how often an idle engine looks at its stop flag
PUBLISH_HZ = 5  # snapshots (each with a fresh fit) per second while training: smooth
# enough to watch, and it keeps a remote terminal under 50 KB/s (benchmarks/RESULTS.md)


class Engine(Inbox):
    def __init__(
        self,
        config: Config,
        device: str | torch.device = "cpu",
        *,
        seeds: Sequence[int] | None = None,
        auto_advance: bool = True,
        pace: float | None = None,
    ) -> None:
        """``seeds``: train these seeds at once (each with its own data draw, weights, batch
        order and method state); None: the config's one seed, followed on a reset."""
        super().__init__()
        self.device = torch.device(device)
        self._seeds = None if seeds is None else tuple(seeds)
        self.auto_advance = auto_advance
        self.pace = Pace(pace)
        self._publish: Callable[[Snapshot], None] = lambda s: None
        self._publish_due = 0.0
        self._runs = -1  # how many resets so far; the snapshot's run number
        self.config = config
        self._draw(config)
        self._adopt(config)
        self._reset()

    # -- the public surface -------------------------------------------------------------

    def run(
        self, publish: Callable[[Snapshot], None] = lambda s: None, until_done: bool = True
    ) -> Snapshot:
        """Train, publishing a Snapshot at each evaluation and state change.

        Returns the last snapshot when stopped, or (with ``until_done``) when the run has
        finished or diverged. Without it, a finished engine waits for commands (reset).
        """
        self._publish = publish
        self.pace.restart(self.now.step)  # the pace counts from here, not from the build
        self.emit()
        while not self.stopping:
            self.apply_pending()
            now = self.now
            if until_done and now.stopped:
                break
            if now.training:
                self.step()
                if time.perf_counter() >= self._publish_due:
                    self.emit()
                self._keep_pace()
            else:
                self.wait(IDLE_POLL_S)
        return self.snapshot

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def train_seconds(self) -> float:
        return self.now.train_seconds

    # -- a run's life ----------------------------------------------------------------------

    def _draw(self, config: Config) -> None:
        """Every seed's tasks, and what they are measured on."""
        self.data = SeedData(config.data, self._seeds_of(config), self.device)
        self.measure = Measure(self.data)

    def _seeds_of(self, config: Config) -> tuple[int, ...]:
        """The seeds given to the engine, or else the config's one seed."""
        return self._seeds or (config.data.seed,)

    def _adopt(self, config: Config) -> None:
        """Take ``config``; the data are drawn again unless they are the same."""
        if (config.data, self._seeds_of(config)) != (self.config.data, self.data.seeds):
            self._draw(config)
        self.config = config
        self.tasks = self.data.tasks[0]  # the first seed's, which a single run draws
        self.scene = Scene(config, tuple(self.tasks), self.measure.grid, str(self.device))

    def _reset(self) -> None:
        self._runs += 1
        self.now = RunState.start(self.config, self.data.seeds, len(self.tasks), self.device)
        self._measure()
        self._begin_task()
        self.emit()

    def _begin_task(self) -> None:
        now, train = self.now, self.config.train
        now.renew_optimizer(self.config)
        now.method.before_task(now.model, self.data, now.task)
        x, y = now.method.training_set(self.data, now.task)
        now.batches = Batches(x, y, train.batch_size, now.orders)
        now.epoch = 0
        per_task = train.epochs * now.batches.per_epoch
        self._eval_every = {
            key: train.eval_every or max(1, per_task // count)
            for key, count in EVALS_PER_TASK.items()
        }
        self.pace.restart(now.step)

    def step(self) -> None:
        """One optimizer step, then the bookkeeping: counters, measurements, task's end.
        run() calls it in its loop; lockstep.Lockstep calls it to train several engines."""
        now, started = self.now, time.perf_counter()
        now.last_loss = self._optimize(*now.batches.next())
        now.step += 1
        epoch_budget_spent = now.budget == 1  # the last step of one epoch asked while paused
        now.budget = max(0, now.budget - 1)
        now.epoch += now.batches.epoch_done
        task_done = now.batches.epoch_done and now.epoch >= self.config.train.epochs
        every = self._eval_every["full pace" if self.pace.rate is None else "paced"]
        if task_done:
            self._end_task()
        elif now.step % every == 0:
            self._measure()
        now.train_seconds += time.perf_counter() - started
        if task_done or epoch_budget_spent or now.state is State.DIVERGED:
            self.emit()  # a change of state; run() publishes on its cadence (a Lockstep on its)

    def _optimize(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The step itself, with the method's hooks around it; returns the task loss (the
        mean over seeds of each seed's MSE). What is minimised is the *sum* of the seeds'
        MSEs, so each seed's gradient is its own: every seed has as many points, so that sum
        is S times one mse_loss over all of them (one fused op; model.seed_losses, the same
        sum term by term, cost 5 % of a step here)."""
        model, optimizer, method = self.now.model, self.now.optimizer, self.now.method
        x, y = method.batch(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x, self.now.task) if method.task_aware else model(x), y)
        seeds = len(self.data.seeds)
        total = loss * seeds if seeds > 1 else loss
        (total if (penalty := method.penalty(model, x)) is None else total + penalty).backward()
        method.after_backward(model)
        optimizer.step()
        method.after_step(model)
        return loss

    def _measure(self) -> None:
        """Every seed's test MSE on every task into the history. A seed whose test loss
        became nan or inf is marked diverged (the others train on: its weights are its own);
        with one seed, a nan or inf batch loss counts too. The run stops when every seed
        has diverged."""
        now = self.now
        losses = self.measure.test_losses(now.model, now.method.task_aware)
        now.history.append(now.step, losses)
        now.train_loss = 0.0 if now.last_loss is None else now.last_loss.item()
        batch_loss_counts = len(losses) == 1  # one seed: the batch loss is that seed's
        train = now.train_loss if batch_loss_counts else 0.0
        for s in np.flatnonzero(~np.isfinite(losses).all(1) | ~np.isfinite(train)):
            if now.failures[s] is None:
                nan = np.isnan(losses[s]).any() or np.isnan(train)
                now.failures[s] = Divergence(now.task, now.step, "nan" if nan else "inf")
        if all(now.failures):
            now.state, now.budget = State.DIVERGED, 0

    def _end_task(self) -> None:
        """The method's end of the task (anchors, Fisher; PackNet prunes and retrains), then
        the measurement the task ends with: row ``task`` of the loss matrix and the ghost
        fit. Then move on or wait."""
        now, paused = self.now, self.now.state is State.PAUSED  # ".": one epoch, then pause
        now.method.after_task(now.model, self.data, now.task)
        self._measure()
        if now.state is State.DIVERGED:
            return
        now.loss_matrix.append(now.history.latest())
        now.ghosts.append(self.measure.fit(now.model, now.method.task_aware))
        now.budget = 0
        if now.task == len(self.tasks) - 1:
            now.state = State.FINISHED
        elif self.auto_advance:
            self._advance(paused)
        else:
            now.state = State.TASK_DONE

    def _advance(self, paused: bool = False) -> None:
        """On to the next task; a paused run stays paused there."""
        now = self.now
        now.task += 1
        now.boundaries.append(now.step)
        now.state = State.PAUSED if paused else State.RUNNING
        self._begin_task()

    # -- commands and pace ---------------------------------------------------------------

    def _keep_pace(self) -> None:
        now = self.now
        if self.pace.rate is None or now.state is not State.RUNNING:
            return
        due = self.pace.due(now.step, now.batches.per_epoch)
        if self._snapshot.step != now.step and due > self._publish_due:
            self.emit()  # a sleep past the next snapshot ahead: show where it stands first
        while self.now is now and now.state is State.RUNNING and self.pace.rate is not None:
            if self.stopping:
                break
            ahead = due - time.perf_counter()
            if ahead <= 0:
                break
            self.wait(ahead)

    def apply(self, command: Command, arg: object) -> None:
        """Carry out ``command`` now, in the training thread (send() queues it for run())."""
        now = self.now
        before = (now.state, self.pace.rate, self.auto_advance)
        if command is Command.TOGGLE_PAUSE and now.state in (State.RUNNING, State.PAUSED):
            now.state = State.PAUSED if now.state is State.RUNNING else State.RUNNING
            now.budget = 0
        elif command is Command.STEP_EPOCH and now.state is State.PAUSED:
            now.budget = now.batches.rest_of_epoch
        elif command is Command.NEXT_TASK:
            self._next_task()
        elif command is Command.RESET:
            self._adopt(arg if isinstance(arg, Config) else self.config)
            self._reset()
            return
        elif command is Command.SET_PACE:
            self.pace.rate = arg
        elif command is Command.SET_AUTO_ADVANCE:
            self.auto_advance = bool(arg)
            if self.auto_advance and now.state is State.TASK_DONE:
                self._next_task()  # offered at a finished task as a way on: go on now
        self.pace.restart(now.step)
        if (now.state, self.pace.rate, self.auto_advance) != before:
            self.emit()

    def _next_task(self) -> None:
        """End the current task now (an early switch) or leave a finished one."""
        now = self.now
        if now.task == len(self.tasks) - 1:
            return
        paused = now.state is State.PAUSED
        if now.state in (State.RUNNING, State.PAUSED):
            self._end_task()
        if now.state is State.TASK_DONE:
            self._advance(paused)
        self.emit()

    def emit(self) -> None:
        """Publish a Snapshot: at state changes, about PUBLISH_HZ times a second while
        training, and before a paced sleep that outlasts the next one's due time (and when
        a Lockstep publishes the engines side by side: all as they stand at that moment)."""
        self._publish_due = time.perf_counter() + 1.0 / PUBLISH_HZ
        now = self.now
        steps, losses = now.history.views()
        view = SeedView(now.failures)
        self._snapshot = Snapshot(
            scene=self.scene,
            run=self._runs,
            step=now.step,
            task=now.task,
            epoch=now.epoch,
            state=now.state,
            steps=steps,
            test_losses=view(losses, 1),
            loss_band=view.band(losses, 1),
            fit=view(self.measure.fit(now.model, now.method.task_aware), 0),
            ghosts=tuple(view(ghost, 0) for ghost in now.ghosts),
            boundaries=tuple(now.boundaries),
            loss_matrix=tuple(tuple(view(row, 0).tolist()) for row in now.loss_matrix),
            pace=self.pace.rate,
            auto_advance=self.auto_advance,
            message=view.message(),
        )
        self._publish(self._snapshot)
