"""The training loop: one run of one or more seeds, read top to bottom.

tasks → epochs → batches → one optimizer step, with the method's hooks around each, a test
measurement on a cadence and a row of the loss matrix at each task's end. ``run()`` trains
to the end (cftui run, compare, sweeps, the tests). ``steps()`` is the same loop as a
generator that yields after every step but a task's last, then at the task's end
(TASK_DONE) and when the next one has begun (TASK_BEGUN), so a driver
(cftui.live.runner.Runner) can pause, pace and publish between steps, or train several
trainers in lockstep. A trainer holds no thread, queue or clock of its own.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from cftui.train import problem, threads
from cftui.train.config import Config
from cftui.train.run_state import Batches, RunState
from cftui.train.seed_data import SeedData
from cftui.train.snapshot import Divergence, Scene, SeedView, Snapshot, State

# Test measurements per task when [train] eval_every = 0. One costs about a third of a
# training step, so at full pace they are few. At a watchable pace the run mostly sleeps;
# there each new point redraws the loss chart, and 20 per task keep a remote terminal
# under 50 KB/s (100 per task sent 65 KB/s: benchmarks/RESULTS.md).
EVALS_PER_TASK = {"full pace": 10, "paced": 20}


class Tick(enum.Enum):
    """What ``steps()`` yields: where the loop stands after it resumed once."""

    STEP = "step"  # one optimizer step inside an epoch
    EPOCH = "epoch"  # a step that ended an epoch (not the task's last)
    TASK_DONE = "task done"  # the task ended; resuming begins the next one
    TASK_BEGUN = "task begun"  # the next task began; no step taken yet


class Trainer:
    def __init__(
        self,
        config: Config,
        device: str | torch.device = "cpu",
        *,
        seeds: Sequence[int] | None = None,
        data: SeedData | None = None,
    ) -> None:
        """``seeds``: train these seeds at once, each with its own data draw, weights, batch
        order and method state (default: the config's one seed). ``data``: that draw of
        ``config.data`` for those seeds, when another trainer made it already (side by side,
        a rerun: cftui.live.runner keeps it)."""
        self.config, self.device = config, torch.device(device)
        if data is None:
            seeds = tuple(seeds) if seeds is not None else (config.data.seed,)
            data = SeedData(config.data, seeds, self.device)
        self.problem = problem.of(config)  # its objective, its test metrics, its picture
        self.objective = self.problem.objective(config.data)
        self.data, self.measure = data, self.problem.measure()(data, self.objective)
        self.tasks = data.tasks[0]  # the first seed's, which a single run draws
        device_line = threads.describe(self.device)  # what the status line says it runs on
        self.scene = Scene(config, tuple(self.tasks), self.measure.grid, device_line)
        self.evals_per_task = EVALS_PER_TASK["full pace"]  # a driver sets "paced"'s
        self.now = RunState.start(config, data.seeds, len(self.tasks), self.device, self.objective)
        self._cut = False  # end the current task after this step (an early switch)
        self._measure()
        self._begin_task()
        self.loop = self.steps()

    def run(self) -> Snapshot:
        """Train every task to its end (or until every seed diverged)."""
        for _ in self.loop:
            pass
        return self.take_snapshot()

    def steps(self) -> Iterator[Tick]:
        """The loop, one step per resume. Task 0 began when the trainer was built."""
        now, last = self.now, len(self.tasks) - 1
        while True:
            yield from self._train_task()
            self._end_task()
            if now.state is State.DIVERGED or now.task == last:
                return
            now.state = State.TASK_DONE
            yield Tick.TASK_DONE
            now.task += 1
            now.boundaries.append(now.step)
            self._begin_task()
            yield Tick.TASK_BEGUN

    def _train_task(self) -> Iterator[Tick]:
        """Epochs of batches until the task's epochs are done, it is cut short, or every
        seed diverged; the task's last step does not yield (its end follows at once)."""
        now, epochs = self.now, self.config.train.epochs
        while not self._cut:
            self._step(*now.batches.next())
            if now.state is State.DIVERGED:
                return
            if now.batches.epoch_done:
                now.epoch += 1
                if now.epoch >= epochs:
                    return
            yield Tick.EPOCH if now.batches.epoch_done else Tick.STEP

    def cut(self) -> None:
        """End the current task before its next step (``n`` before the task's end)."""
        self._cut = True

    # -- a task's life --------------------------------------------------------------------

    def _begin_task(self) -> None:
        now = self.now
        now.state, self._cut = State.RUNNING, False
        now.renew_optimizer(self.config)
        now.method.before_task(now.model, self.data, now.task)
        x, y = now.method.training_set(self.data, now.task)
        now.batches = Batches(x, y, self.config.train.batch_size, now.orders)
        now.epoch = 0

    def _step(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """One optimizer step, and a measurement when one is due (not at the task's end,
        which measures anyway)."""
        now, started = self.now, time.perf_counter()
        now.last_loss = self._optimize(x, y)
        now.step += 1
        task_ends = now.batches.epoch_done and now.epoch + 1 >= self.config.train.epochs
        if not task_ends and now.step % self.eval_every == 0:
            self._measure()
        now.train_seconds += time.perf_counter() - started

    @property
    def eval_every(self) -> int:
        per_task = self.config.train.epochs * self.now.batches.per_epoch
        return self.config.train.eval_every or max(1, per_task // self.evals_per_task)

    def _optimize(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The step itself, with the method's hooks around it; returns the task loss (the
        mean over seeds of each seed's loss: MSE, or cross-entropy). What is minimised is the
        *sum* of the seeds' losses, so each seed's gradient is its own: every seed has as many
        points, so that sum is S times one mean loss over all of them (one fused op;
        per_seed.seed_losses, the same sum term by term, cost 5 % of a step here)."""
        model, optimizer, method = self.now.model, self.now.optimizer, self.now.method
        x, y = method.batch(x, y)
        optimizer.zero_grad(set_to_none=True)
        task = self.now.task
        loss = self.objective.loss(model(x, task) if method.task_aware else model(x), y, task)
        seeds = len(self.data.seeds)
        total = loss * seeds if seeds > 1 else loss
        (total if (penalty := method.penalty(model, x)) is None else total + penalty).backward()
        method.after_backward(model)
        optimizer.step()
        method.after_step(model)
        return loss

    def _measure(self) -> None:
        """Every seed's test loss (and accuracy) on every task into the history. A seed whose
        test loss became nan or inf is marked diverged (the others train on: its weights are
        its own); with one seed, a nan or inf batch loss counts too. The run stops when every
        seed has diverged."""
        now = self.now
        scores = self.measure.test(now.model, now.task, now.method.task_aware)
        now.scores, losses = scores, scores.loss
        now.history.append(now.step, losses)
        if now.accuracy is not None:
            now.accuracy.append(now.step, scores.accuracy)
        now.train_loss = 0.0 if now.last_loss is None else now.last_loss.item()
        batch_loss_counts = len(losses) == 1  # one seed: the batch loss is that seed's
        train = now.train_loss if batch_loss_counts else 0.0
        for s in np.flatnonzero(~np.isfinite(losses).all(1) | ~np.isfinite(train)):
            if now.failures[s] is None:
                nan = np.isnan(losses[s]).any() or np.isnan(train)
                now.failures[s] = Divergence(now.task, now.step, "nan" if nan else "inf")
        if all(now.failures):
            now.state = State.DIVERGED

    def _end_task(self) -> None:
        """The method's end of the task (anchors, Fisher; PackNet prunes and retrains), then
        the measurement the task ends with: row ``task`` of the loss matrix and the ghost
        fit."""
        now = self.now
        if now.state is State.DIVERGED:
            return
        now.method.after_task(now.model, self.data, now.task)
        self._measure()
        if now.state is State.DIVERGED:
            return
        now.loss_matrix.append(now.history.latest())
        if now.accuracy is not None:
            now.accuracy_matrix.append(now.accuracy.latest())
        now.ghosts.append(self.picture())
        if now.task == len(self.tasks) - 1:
            now.state = State.FINISHED

    # -- what a view is shown ---------------------------------------------------------------

    def picture(self) -> np.ndarray:
        """Every seed's picture of the model now (its fit, or its regions), ``[S, G]``."""
        now = self.now
        return self.measure.picture(now.model, now.task, now.method.task_aware)

    def take_snapshot(
        self,
        *,
        run: int = 0,
        paused: bool = False,
        pace: float | None = None,
        auto_advance: bool = True,
    ) -> Snapshot:
        """The run as it stands, as an immutable Snapshot; the driver adds what it owns (the
        run count, whether it is paused, the pace). The fit is evaluated now."""
        now = self.now
        steps, losses = now.history.views()
        view = SeedView(now.failures)
        running = now.state is State.RUNNING
        accuracy = None if now.accuracy is None else view(now.accuracy.views()[1], 1)
        return Snapshot(
            scene=self.scene,
            run=run,
            step=now.step,
            task=now.task,
            epoch=now.epoch,
            state=State.PAUSED if paused and running else now.state,
            steps=steps,
            test_losses=view(losses, 1),
            loss_band=view.band(losses, 1),
            fit=self.measure.shown(view, self.picture()),
            ghosts=tuple(self.measure.shown(view, ghost) for ghost in now.ghosts),
            boundaries=tuple(now.boundaries),
            loss_matrix=tuple(tuple(view(row, 0).tolist()) for row in now.loss_matrix),
            test_accuracy=accuracy,
            accuracy_matrix=tuple(tuple(view(row, 0).tolist()) for row in now.accuracy_matrix),
            confusion=self.measure.confusion(view, now.scores),
            pace=pace,
            auto_advance=auto_advance,
            message=view.message(),
        )
