"""The training loop, shared by the TUI, the headless CLI, the benchmark and the tests.

It owns the model, the optimizer, the tasks and the method; it advances one optimizer step
at a time, measures every task's test MSE on a cadence (one batched forward pass, one
device-to-host copy), and publishes immutable Snapshots. Commands arrive through one
thread-safe queue and are applied between steps, so a UI never touches the model.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from cftui import methods, model
from cftui.config import Config
from cftui.snapshot import Command, History, Scene, Snapshot, State
from cftui.tasks import column, make_tasks

GRID_POINTS = 256  # where the fit is sampled for drawing
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
        self.pace = pace
        self.commands: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._publish: Callable[[Snapshot], None] = lambda s: None
        self._run = -1
        self._publish_due = 0.0
        self._configure(config)
        self._restart()
        self._emit()

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
            if until_done and self.state in (State.FINISHED, State.DIVERGED):
                break
            if self.state is State.RUNNING or self._budget:
                self._train_step()
                self._keep_pace()
            else:
                self._wait(IDLE_POLL_S)
        return self.snapshot

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    # -- building ------------------------------------------------------------------------

    def _configure(self, config: Config) -> None:
        """Adopt a config; the data are drawn again only when [data] changed."""
        if getattr(self, "config", None) is None or config.data != self.config.data:
            self.tasks = make_tasks(config.data)
            lo = min(t.x_range[0] for t in self.tasks)
            hi = max(t.x_range[1] for t in self.tasks)
            self.grid = np.linspace(lo, hi, GRID_POINTS)
            self._grid_x = column(self.grid, self.device)
            self._test_x = column(np.concatenate([t.x_test for t in self.tasks]), self.device)
            self._test_y = np.concatenate([t.y_test for t in self.tasks])
            self._test_task = np.repeat(
                np.arange(len(self.tasks)), [len(t.x_test) for t in self.tasks]
            )
            self._test_count = np.bincount(self._test_task)
        self.config = config
        self.scene = Scene(config, tuple(self.tasks), self.grid, str(self.device))

    def _restart(self) -> None:
        c = self.config
        seed = c.data.seed
        self._run += 1
        self.model = model.build(c.model.layers, c.model.activation, seed, self.device)
        self.optimizer = model.optimizer(c.train.optimizer, self.model.parameters(), c.train.lr)
        self.method = methods.get(c.method.name)(c.method.params, seed)
        self._batches = torch.Generator().manual_seed(seed)
        self.history = History(len(self.tasks))
        self.step = self.epoch = self.task = self._budget = 0
        self.ghosts: list[np.ndarray] = []
        self.boundaries: list[int] = []
        self.loss_matrix: list[tuple[float, ...]] = []
        self.message = ""
        self.train_seconds = 0.0
        self._last_loss = torch.zeros((), device=self.device)
        self.state = State.RUNNING
        self._measure()
        self._begin_task()

    def _begin_task(self) -> None:
        self.method.before_task(self.model, self.tasks, self.task)
        self._train_x, self._train_y = self.method.training_set(self.tasks, self.task, self.device)
        # counted on the training set, which replay and joint make larger than the task's
        n, batch = len(self._train_x), self.config.train.batch_size
        self.steps_per_epoch = 1 if batch == 0 or batch >= n else math.ceil(n / batch)
        self._order: list[torch.Tensor] = []
        self.epoch = 0
        per_task = self.config.train.epochs * self.steps_per_epoch
        self._eval_every = {
            key: self.config.train.eval_every or max(1, per_task // count)
            for key, count in EVALS_PER_TASK.items()
        }
        self._pace_origin = (time.perf_counter(), self.step)

    # -- training ------------------------------------------------------------------------

    def _next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.steps_per_epoch == 1:
            return self._train_x, self._train_y
        if not self._order:
            perm = torch.randperm(len(self._train_x), generator=self._batches, device="cpu").to(
                self.device
            )
            self._order = list(perm.split(self.config.train.batch_size))
        index = self._order.pop()
        return self._train_x[index], self._train_y[index]

    def _train_step(self) -> None:
        started = time.perf_counter()
        x, y = self.method.batch(*self._next_batch())
        self.optimizer.zero_grad(set_to_none=True)
        loss = F.mse_loss(self.model(x), y)
        penalty = self.method.penalty(self.model, x)
        (loss if penalty is None else loss + penalty).backward()
        self.method.after_backward(self.model)
        self.optimizer.step()
        self.method.after_step(self.model)
        self._last_loss = loss  # read at the next measurement; backward freed its graph's
        # buffers, and not detaching saves 0.6 % of a step (benchmarks/RESULTS.md)
        self.step += 1
        budget_spent = self._budget == 1  # the last step of a single epoch while paused
        self._budget = max(0, self._budget - 1)
        epoch_done = not self._order
        self.epoch += epoch_done
        task_done = epoch_done and self.epoch >= self.config.train.epochs
        every = self._eval_every["full pace" if self.pace is None else "paced"]
        if task_done or self.step % every == 0:
            self._measure()
        self.train_seconds += time.perf_counter() - started
        if task_done and self.state is not State.DIVERGED:
            self._end_task()
        if (
            task_done
            or budget_spent
            or self.state is State.DIVERGED
            or started >= self._publish_due
        ):
            self._emit()

    def _measure(self) -> None:
        """Every task's test MSE: one forward pass over all test points, one host copy."""
        with torch.no_grad():
            out = self.model(self._test_x).squeeze(1).double().cpu().numpy()
        losses = np.bincount(self._test_task, (out - self._test_y) ** 2) / self._test_count
        self.history.append(self.step, losses)
        self.train_loss = self._last_loss.item()
        if not (np.isfinite(self.train_loss) and np.all(np.isfinite(losses))):
            self.state = State.DIVERGED
            self._budget = 0
            kind = "nan" if np.isnan(losses).any() or np.isnan(self.train_loss) else "inf"
            self.message = f"the loss became {kind} at step {self.step} of task {self.task + 1}"

    def _fit(self) -> np.ndarray:
        """The model's output on the grid, for drawing."""
        with torch.no_grad():
            return self.model(self._grid_x).squeeze(1).double().cpu().numpy()

    def _end_task(self) -> None:
        """Record row ``task`` of the loss matrix and the ghost fit, then move on or wait."""
        self.loss_matrix.append(tuple(self.history.latest()))
        self.ghosts.append(self._fit())
        self.method.after_task(self.model, self.tasks, self.task)
        self._budget = 0
        if self.task == len(self.tasks) - 1:
            self.state = State.FINISHED
        elif self.auto_advance:
            self._advance()
        else:
            self.state = State.TASK_DONE

    def _advance(self) -> None:
        self.task += 1
        self.boundaries.append(self.step)
        self.state = State.RUNNING
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
        if self.pace is None or self.state is not State.RUNNING:
            return
        origin_time, origin_step = self._pace_origin
        due = origin_time + (self.step - origin_step) / (self.pace * self.steps_per_epoch)
        if self._snapshot.step != self.step and due > self._publish_due:
            self._emit()  # a sleep past the next snapshot ahead: show where it stands first
        while not self._stop.is_set() and self.state is State.RUNNING and self.pace is not None:
            ahead = due - time.perf_counter()
            if ahead <= 0:
                break
            self._wait(ahead)

    def _apply(self, command: Command, arg: object) -> None:
        before = (self.state, self.pace, self.auto_advance, self._run)
        if command is Command.TOGGLE_PAUSE and self.state in (State.RUNNING, State.PAUSED):
            self.state = State.PAUSED if self.state is State.RUNNING else State.RUNNING
            self._budget = 0
        elif command is Command.STEP_EPOCH and self.state is State.PAUSED:
            self._budget = len(self._order) or self.steps_per_epoch  # the rest of this epoch
        elif command is Command.NEXT_TASK and self.task < len(self.tasks) - 1:
            if self.state in (State.RUNNING, State.PAUSED):  # an early switch
                self._measure()
                self._end_task()
            if self.state is State.TASK_DONE:
                self._advance()
        elif command is Command.RESET:
            self._configure(arg if isinstance(arg, Config) else self.config)
            self._restart()
        elif command is Command.SET_PACE:
            self.pace = arg
        elif command is Command.SET_AUTO_ADVANCE:
            self.auto_advance = bool(arg)
        self._pace_origin = (time.perf_counter(), self.step)
        if (
            self.state,
            self.pace,
            self.auto_advance,
            self._run,
        ) != before or command is Command.NEXT_TASK:
            self._emit()

    def _emit(self) -> None:
        """Publish a Snapshot: at state changes, about PUBLISH_HZ times a second while
        training, and before a paced sleep that outlasts the next one's due time."""
        self._publish_due = time.perf_counter() + 1.0 / PUBLISH_HZ
        steps, losses = self.history.views()
        self._snapshot = Snapshot(
            scene=self.scene,
            run=self._run,
            step=self.step,
            task=self.task,
            epoch=self.epoch,
            state=self.state,
            train_loss=self.train_loss,
            steps=steps,
            test_losses=losses,
            fit=self._fit(),
            ghosts=tuple(self.ghosts),
            boundaries=tuple(self.boundaries),
            loss_matrix=tuple(self.loss_matrix),
            pace=self.pace,
            auto_advance=self.auto_advance,
            message=self.message,
        )
        self._publish(self._snapshot)
