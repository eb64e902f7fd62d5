"""The training loop, shared by the TUI, the headless CLI, the benchmark and the tests.

It trains one run (run_state.RunState) an optimizer step at a time, measures every task's
test MSE on a cadence, and publishes immutable Snapshots. Commands arrive through one
thread-safe queue and are applied between steps, so a UI never touches the model.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from cftui.config import Config
from cftui.measure import Measure
from cftui.pacing import Pace
from cftui.run_state import Batches, RunState
from cftui.snapshot import Command, Scene, Snapshot, State
from cftui.tasks import make_tasks

# Test measurements per task when [train] eval_every = 0. One costs about a third of a
# training step, so at full pace they are few. At a watchable pace the engine mostly sleeps;
# there each new point redraws the loss chart, and 20 per task keep a remote terminal
# under 50 KB/s (100 per task sent 65 KB/s: benchmarks/RESULTS.md).
EVALS_PER_TASK = {"full pace": 10, "paced": 20}
IDLE_POLL_S = 0.1  # how often an idle engine looks at its stop flag
PUBLISH_HZ = 5  # snapshots (each with a fresh fit) per second while training: smooth
# enough to watch, and it keeps a remote terminal under 50 KB/s (benchmarks/RESULTS.md)


class Engine:
    def __init__(
        self,
        config: Config,
        device: str | torch.device = "cpu",
        *,
        auto_advance: bool = True,
        pace: float | None = None,
    ) -> None:
        self.device = torch.device(device)
        self.auto_advance = auto_advance
        self.pace = Pace(pace)
        self.commands: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._publish: Callable[[Snapshot], None] = lambda s: None
        self._publish_due = 0.0
        self._runs = -1  # how many resets so far; the snapshot's run number
        self._adopt(config, same_data=False)
        self._reset()

    # -- the public surface -------------------------------------------------------------

    def send(self, command: Command, arg: object = None) -> None:
        """Queue a command; thread-safe, never blocks. Applied before the next step."""
        self.commands.put((command, arg))

    def stop(self) -> None:
        """Make run() return promptly, from any thread."""
        self._stop.set()
        self.send(Command.STOP)

    def run(
        self, publish: Callable[[Snapshot], None] = lambda s: None, until_done: bool = True
    ) -> Snapshot:
        """Train, publishing a Snapshot at each evaluation and state change.

        Returns the last snapshot when stopped, or (with ``until_done``) when the run has
        finished or diverged. Without it, a finished engine waits for commands (reset).
        """
        self._publish = publish
        self._emit()
        while not self._stop.is_set():
            self._apply_pending()
            now = self.now
            if until_done and now.stopped:
                break
            if now.state is State.RUNNING or now.budget:
                self._train_step()
                self._keep_pace()
            else:
                self._wait(IDLE_POLL_S)
        return self.snapshot

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def train_seconds(self) -> float:
        return self.now.train_seconds

    # -- a run's life ----------------------------------------------------------------------

    def _adopt(self, config: Config, same_data: bool) -> None:
        """Take ``config``; the data are drawn again unless they are the same."""
        if not same_data:
            self.tasks = make_tasks(config.data)
            self.measure = Measure(self.tasks, self.device)
        self.config = config
        self.scene = Scene(config, tuple(self.tasks), self.measure.grid, str(self.device))

    def _reset(self) -> None:
        self._runs += 1
        self.now = RunState.start(self.config, len(self.tasks), self.device)
        self._measure()
        self._begin_task()
        self._emit()

    def _begin_task(self) -> None:
        now, train = self.now, self.config.train
        now.method.before_task(now.model, self.tasks, now.task)
        x, y = now.method.training_set(self.tasks, now.task, self.device)
        now.batches = Batches(x, y, train.batch_size, now.order)
        now.epoch = 0
        per_task = train.epochs * now.batches.per_epoch
        self._eval_every = {
            key: train.eval_every or max(1, per_task // count)
            for key, count in EVALS_PER_TASK.items()
        }
        self.pace.restart(now.step)

    def _train_step(self) -> None:
        """One optimizer step, then the bookkeeping: counters, measurements, task's end."""
        now, started = self.now, time.perf_counter()
        now.last_loss = self._optimize(*now.batches.next())
        now.step += 1
        epoch_budget_spent = now.budget == 1  # the last step of one epoch asked while paused
        now.budget = max(0, now.budget - 1)
        now.epoch += now.batches.epoch_done
        task_done = now.batches.epoch_done and now.epoch >= self.config.train.epochs
        every = self._eval_every["full pace" if self.pace.rate is None else "paced"]
        if task_done or now.step % every == 0:
            self._measure()
        now.train_seconds += time.perf_counter() - started
        if task_done and now.state is not State.DIVERGED:
            self._end_task()
        if (
            task_done
            or epoch_budget_spent
            or now.state is State.DIVERGED
            or started >= self._publish_due
        ):
            self._emit()

    def _optimize(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The step itself, with the method's hooks around it; returns the task loss."""
        model, optimizer, method = self.now.model, self.now.optimizer, self.now.method
        x, y = method.batch(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x), y)
        penalty = method.penalty(model, x)
        (loss if penalty is None else loss + penalty).backward()
        method.after_backward(model)
        optimizer.step()
        method.after_step(model)
        return loss

    def _measure(self) -> None:
        """Every task's test MSE into the history; a nan or inf stops the run."""
        now = self.now
        losses = self.measure.test_losses(now.model)
        now.history.append(now.step, losses)
        now.train_loss = 0.0 if now.last_loss is None else now.last_loss.item()
        if not (np.isfinite(now.train_loss) and np.all(np.isfinite(losses))):
            kind = "nan" if np.isnan(losses).any() or np.isnan(now.train_loss) else "inf"
            now.message = f"the loss became {kind} at step {now.step} of task {now.task + 1}"
            now.state, now.budget = State.DIVERGED, 0

    def _end_task(self) -> None:
        """Record row ``task`` of the loss matrix and the ghost fit, then move on or wait."""
        now = self.now
        now.loss_matrix.append(tuple(now.history.latest()))
        now.ghosts.append(self.measure.fit(now.model))
        now.method.after_task(now.model, self.tasks, now.task)
        now.budget = 0
        if now.task == len(self.tasks) - 1:
            now.state = State.FINISHED
        elif self.auto_advance:
            self._advance()
        else:
            now.state = State.TASK_DONE

    def _advance(self) -> None:
        now = self.now
        now.task += 1
        now.boundaries.append(now.step)
        now.state = State.RUNNING
        self._begin_task()

    # -- commands and pace ---------------------------------------------------------------

    def _apply_pending(self) -> None:
        while not self.commands.empty():
            self._apply(*self.commands.get_nowait())

    def _wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking at once for a command."""
        with contextlib.suppress(queue.Empty):
            self._apply(*self.commands.get(timeout=max(seconds, 0.0)))
        self._apply_pending()

    def _keep_pace(self) -> None:
        now = self.now
        if self.pace.rate is None or now.state is not State.RUNNING:
            return
        due = self.pace.due(now.step, now.batches.per_epoch)
        if self._snapshot.step != now.step and due > self._publish_due:
            self._emit()  # a sleep past the next snapshot ahead: show where it stands first
        while self.now is now and now.state is State.RUNNING and self.pace.rate is not None:
            if self._stop.is_set():
                break
            ahead = due - time.perf_counter()
            if ahead <= 0:
                break
            self._wait(ahead)

    def _apply(self, command: Command, arg: object) -> None:
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
            config = arg if isinstance(arg, Config) else self.config
            self._adopt(config, same_data=config.data == self.config.data)
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
            self._emit()

    def _next_task(self) -> None:
        """End the current task now (an early switch) or leave a finished one."""
        now = self.now
        if now.task == len(self.tasks) - 1:
            return
        if now.state in (State.RUNNING, State.PAUSED):
            self._measure()
            self._end_task()
        if now.state is State.TASK_DONE:
            self._advance()
        self._emit()

    def _emit(self) -> None:
        """Publish a Snapshot: at state changes, about PUBLISH_HZ times a second while
        training, and before a paced sleep that outlasts the next one's due time."""
        self._publish_due = time.perf_counter() + 1.0 / PUBLISH_HZ
        now = self.now
        steps, losses = now.history.views()
        self._snapshot = Snapshot(
            scene=self.scene,
            run=self._runs,
            step=now.step,
            task=now.task,
            epoch=now.epoch,
            state=now.state,
            train_loss=now.train_loss,
            steps=steps,
            test_losses=losses,
            fit=self.measure.fit(now.model),
            ghosts=tuple(now.ghosts),
            boundaries=tuple(now.boundaries),
            loss_matrix=tuple(now.loss_matrix),
            pace=self.pace.rate,
            auto_advance=self.auto_advance,
            message=now.message,
        )
        self._publish(self._snapshot)
