"""One run, from its initial weights to its last task: everything a reset replaces.

The engine keeps the things that outlive a reset (the data, the command queue, the pace)
and holds the rest here, so a reset is one assignment and nothing is left half-restored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from cftui import methods, model
from cftui.config import Config
from cftui.methods.base import Method
from cftui.snapshot import History, State


class Batches:
    """A task's training set and the order an epoch walks it in: one full batch, or a fresh
    random permutation cut into minibatches every epoch."""

    def __init__(
        self, x: torch.Tensor, y: torch.Tensor, batch_size: int, order: torch.Generator
    ) -> None:
        self.x, self.y, self.batch_size, self._generator = x, y, batch_size, order
        n = len(x)
        # counted on the training set, which replay and joint make larger than the task's
        self.per_epoch = 1 if batch_size == 0 or batch_size >= n else math.ceil(n / batch_size)
        self._left: list[torch.Tensor] = []  # the batches still to come in this epoch

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.per_epoch == 1:
            return self.x, self.y
        if not self._left:
            perm = torch.randperm(len(self.x), generator=self._generator, device="cpu")
            self._left = list(perm.to(self.x.device).split(self.batch_size))
        index = self._left.pop()
        return self.x[index], self.y[index]

    @property
    def epoch_done(self) -> bool:
        return not self._left

    @property
    def rest_of_epoch(self) -> int:
        """Steps to the end of the current epoch (a whole one at its start)."""
        return len(self._left) or self.per_epoch


@dataclass(eq=False)
class RunState:
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    method: Method
    order: torch.Generator  # drives every task's minibatch permutations
    history: History  # (step, every task's test MSE) at each measurement
    batches: Batches | None = None  # the current task's; set when a task begins
    state: State = State.RUNNING
    step: int = 0  # optimizer steps since the run began
    task: int = 0  # the task being (or last) trained
    epoch: int = 0  # epochs done in that task
    budget: int = 0  # steps still to train while paused (one epoch asked with ".")
    last_loss: torch.Tensor | None = None  # the last batch's loss, read when measuring:
    # backward freed its graph, and not detaching it saves 0.6 % of a step
    train_loss: float = 0.0  # last_loss as of the last measurement (penalties excluded)
    train_seconds: float = 0.0  # time inside training steps (measurements included)
    message: str = ""  # why it stopped, when it diverged
    ghosts: list[np.ndarray] = field(default_factory=list)  # the fit at each task's end
    boundaries: list[int] = field(default_factory=list)  # the step each later task began at
    loss_matrix: list[tuple[float, ...]] = field(default_factory=list)  # row i: after task i

    @classmethod
    def start(cls, config: Config, n_tasks: int, device: torch.device) -> RunState:
        """A fresh run: the initial weights, the method's state and the batch order all
        come from the data seed, so a rerun of the same config gives the same numbers."""
        seed = config.data.seed
        net = model.build(config.model.layers, config.model.activation, seed, device)
        return cls(
            model=net,
            optimizer=model.optimizer(config.train.optimizer, net.parameters(), config.train.lr),
            method=methods.get(config.method.name)(config.method.params, seed),
            order=torch.Generator().manual_seed(seed),
            history=History(n_tasks),
        )

    @property
    def stopped(self) -> bool:
        return self.state in (State.FINISHED, State.DIVERGED)
