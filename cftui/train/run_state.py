"""One run, from its initial weights to its last task: everything a reset replaces.

A Trainer holds one; a restart builds a new trainer, so nothing is left half-restored. A
run trains S seeds at once; its numbers are kept per seed. What outlives a run (the command
inbox, the pace, whether it is paused) is the Runner's (cftui.live.runner)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from cftui.train import methods, model, problem
from cftui.train.config import Config
from cftui.train.measure import Scores
from cftui.train.methods.base import Method
from cftui.train.per_seed import draws, permutations, take
from cftui.train.snapshot import Divergence, History, State


class Batches:
    """A task's training set and the order steps take it in: one full batch, or minibatches
    of exactly ``batch_size`` points from a per-seed shuffled stream (each seed's own
    random stream) that reshuffles whenever fewer than a batch are left, as hypercl's data
    handler does. An epoch is ceil(N / batch_size) steps; no step is taken on a short tail
    (100 points in batches of 32 once gave every fourth step 4 points at the full lr)."""

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        batch_size: int,
        orders: Sequence[torch.Generator],
    ) -> None:
        self.x, self.y, self.batch_size, self._orders = x, y, batch_size, orders
        n = x.shape[1]
        # counted on the training set, which joint makes larger than the task's
        self.per_epoch = steps_per_epoch(n, batch_size)
        self._stream = torch.empty(len(orders), 0, dtype=torch.long, device=x.device)
        self._taken = 0  # steps taken in the current epoch (per_epoch once it is done)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        self._taken = self._taken % self.per_epoch + 1
        if self.per_epoch == 1:
            return self.x, self.y
        if self._stream.shape[1] < self.batch_size:
            more = permutations(self._orders, self.x.shape[1], self.x.device)
            self._stream = torch.cat([self._stream, more], dim=1)
        index, self._stream = self._stream.split(
            [self.batch_size, self._stream.shape[1] - self.batch_size], 1
        )
        return take(self.x, index), take(self.y, index)

    @property
    def epoch_done(self) -> bool:
        return self._taken == self.per_epoch

    @property
    def rest_of_epoch(self) -> int:
        """Steps to the end of the current epoch (a whole one at its start)."""
        return self.per_epoch - self._taken % self.per_epoch


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Optimizer steps in an epoch over ``n`` points: one full batch (batch_size 0, or as
    large as the set), else ceil(n / batch_size) whole minibatches."""
    return 1 if batch_size == 0 or batch_size >= n else math.ceil(n / batch_size)


@dataclass(eq=False)
class RunState:
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    method: Method
    orders: list[torch.Generator]  # per seed: drives every task's minibatch permutations
    history: History  # (step, every seed's test loss on every task) at each measurement
    accuracy: History | None  # a classification's test accuracy, alongside; else None
    failures: list[Divergence | None]  # per seed: where it diverged, None while it trains
    batches: Batches | None = None  # the current task's; set when a task begins
    state: State = State.RUNNING  # running, task done, finished or diverged (pausing is
    # the runner's)
    step: int = 0  # optimizer steps since the run began
    task: int = 0  # the task being (or last) trained
    epoch: int = 0  # epochs done in that task
    last_loss: torch.Tensor | None = None  # the last batch's loss, read when
    # measuring: backward freed its graph, and not detaching it saves 0.6 % of a step
    train_loss: float = 0.0  # last_loss as of the last measurement (mean over seeds)
    train_seconds: float = 0.0  # time inside training steps (measurements included)
    ghosts: list[np.ndarray] = field(default_factory=list)  # [S, G]: the picture at a
    # task's end
    boundaries: list[int] = field(default_factory=list)  # the step each later task began at
    loss_matrix: list[np.ndarray] = field(default_factory=list)  # row i, [S, T]: after task i
    accuracy_matrix: list[np.ndarray] = field(default_factory=list)  # likewise (classification)
    scores: Scores | None = None  # the last test's (a classification's answers: confusion.py)

    @classmethod
    def start(
        cls, config: Config, seeds: Sequence[int], n_tasks: int, device, objective
    ) -> RunState:
        """A fresh run: each seed's initial weights, method state and batch order come from
        that seed alone, so a seed trains the same whatever other seeds run beside it.
        ``objective``: what it minimises (objective.py), which the method reasons with."""
        method = methods.get(config.method.name)(config.method.params, seeds, objective)
        net = method.build_model(config.model, n_tasks, device)
        return cls(
            model=net,
            optimizer=new_optimizer(config, net),
            method=method,
            orders=draws(seeds),
            history=History(len(seeds), n_tasks),
            accuracy=History(len(seeds), n_tasks) if problem.of(config).score else None,
            failures=[None] * len(seeds),
        )

    def renew_optimizer(self, config: Config) -> None:
        """At a task after the first, a fresh optimizer where the config says so (hnet's
        paper does; one carried over moves the new task's first steps by the old task's
        moments: 3x farther in 50 steps, DESIGN.md)."""
        if self.task > 0 and config.optimizer_lifetime == "task":
            self.optimizer = new_optimizer(config, self.model)

    @property
    def stopped(self) -> bool:
        return self.state in (State.FINISHED, State.DIVERGED)


def new_optimizer(config: Config, net: torch.nn.Module) -> torch.optim.Optimizer:
    return model.optimizer(config.train.optimizer, net.parameters(), config.train.lr)
