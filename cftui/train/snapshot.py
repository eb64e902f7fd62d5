"""What a run tells the world: immutable snapshots, its states, and the commands it takes.

A Snapshot is read by another thread without locks. That is safe because it only holds
immutable values and read-only views of the prefix of an append-only history, which the
trainer never writes again.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from cftui.train.config import Config
    from cftui.train.confusion import Confusion
    from cftui.train.tasks import Task


class State(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    TASK_DONE = "task done"
    FINISHED = "finished"
    DIVERGED = "diverged"


class Command(enum.Enum):
    NEXT_TASK = "next task"  # end the current task now (or leave a finished one) and go on
    TOGGLE_PAUSE = "pause"
    STEP_EPOCH = "one epoch"  # while paused: train one epoch, then pause again
    RESET = "reset"  # arg: a new Config, or None to rerun the same one
    SET_PACE = "pace"  # arg: epochs per second, or None for full speed
    SET_AUTO_ADVANCE = "auto advance"  # arg: bool
    STOP = "stop"  # leave run()


@dataclass(frozen=True)
class Divergence:
    """Where a seed's loss became nan or inf; it trains no further."""

    task: int  # index of the task in training
    step: int
    kind: str  # "nan" or "inf"

    def __str__(self) -> str:
        return f"the loss became {self.kind} at step {self.step} of task {self.task + 1}"

    def to_dict(self) -> dict:
        return {"task": self.task, "step": self.step, "message": str(self)}


@dataclass(frozen=True, eq=False)
class Scene:
    """What stays fixed during a run: drawn once, replaced on a reset."""

    config: Config
    tasks: Sequence[Task]
    grid: np.ndarray  # where the picture is sampled: x values ([G], a fit), or the cells'
    # centres along x and along y ([2, G], decision regions)
    device: str


@dataclass(frozen=True)
class Snapshot:
    scene: Scene
    run: int  # increases on every reset, so a consumer knows to clear its plots
    step: int  # optimizer steps since the run began
    task: int  # index of the task being (or last) trained
    epoch: int  # epochs done in that task
    state: State
    steps: np.ndarray  # steps at which test losses were measured, oldest first
    test_losses: np.ndarray  # [len(steps), n_tasks]: test loss of every task at those steps
    # (MSE, or cross-entropy)
    fit: np.ndarray  # the model's picture on the scene's grid: its output over x, or its
    # predicted class in every cell of the plane
    ghosts: tuple[np.ndarray, ...]  # the picture at the end of each finished task
    boundaries: tuple[int, ...]  # the step at which each task after the first began
    loss_matrix: tuple[tuple[float, ...], ...]  # row i: test loss on every task after task i
    pace: float | None  # epochs per second, None = full speed
    auto_advance: bool
    message: str = ""  # why it stopped, when it diverged
    loss_band: tuple[np.ndarray, np.ndarray] | None = None  # several seeds: the lowest and
    # the highest test loss over the seeds still training, each shaped like test_losses
    test_accuracy: np.ndarray | None = None  # a classification: like test_losses, accuracy
    accuracy_matrix: tuple[tuple[float, ...], ...] = ()  # a classification: row i, the
    # accuracy on every task after task i
    confusion: Confusion | None = None  # a classification: what the last test answered
    # each class's points with, and each class's mean logit (confusion.py)


class History:
    """Append-only (step, losses) log whose prefixes are handed out as read-only views;
    ``losses`` are ``[seeds, tasks]`` at each step."""

    def __init__(self, seeds: int, n_tasks: int, capacity: int = 256) -> None:
        self._steps = np.zeros(capacity, dtype=np.int64)
        self._losses = np.zeros((capacity, seeds, n_tasks))
        self._size = 0

    def append(self, step: int, losses: np.ndarray) -> None:
        if self._size == len(self._steps):
            # Grow into new arrays: views handed out earlier keep pointing at the old ones.
            self._steps = np.concatenate([self._steps, np.zeros_like(self._steps)])
            self._losses = np.concatenate([self._losses, np.zeros_like(self._losses)])
        self._steps[self._size] = step
        self._losses[self._size] = losses
        self._size += 1

    def views(self) -> tuple[np.ndarray, np.ndarray]:
        steps, losses = self._steps[: self._size], self._losses[: self._size]
        steps.flags.writeable = losses.flags.writeable = False
        return steps, losses

    def latest(self) -> np.ndarray:
        return self._losses[self._size - 1].copy()


class SeedView:
    """What a snapshot shows of several seeds: the one seed itself (arrays stay views of
    the history), or the median over the seeds still training."""

    def __init__(self, failures: Sequence[Divergence | None]) -> None:
        self.failures = failures
        alive = [s for s, failure in enumerate(failures) if not failure]
        self.seeds = alive or list(range(len(failures)))

    def __call__(self, values: np.ndarray, axis: int) -> np.ndarray:
        if len(self.failures) == 1:
            return values[(slice(None),) * axis + (0,)]  # a view, not a copy
        return np.median(values.take(self.seeds, axis), axis)

    def mode(self, values: np.ndarray) -> np.ndarray:
        """From class indices ``[S, G]``, ``[G]``: the one seed's, or the class most seeds still
        training give each column (the lowest such class on a tie)."""
        if len(self.failures) == 1:
            return values[0]
        shown = values[self.seeds]
        votes = shown[None] == np.arange(shown.max() + 1)[:, None, None]
        return votes.sum(1).argmax(0)

    def band(self, values: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The lowest and highest value over the seeds still training; None for one seed."""
        if len(self.failures) == 1:
            return None
        shown = values.take(self.seeds, axis)
        return shown.min(axis), shown.max(axis)

    def message(self) -> str:
        failed = [str(failure) for failure in self.failures if failure]
        if len(self.failures) == 1 or not failed:
            return failed[0] if failed else ""
        return f"{len(failed)} of {len(self.failures)} seeds diverged; the first: {failed[0]}"


@dataclass(frozen=True)
class Comparison:
    """What a Runner of several trainers publishes: one Snapshot per method, on the same data,
    and where the comparison as a whole stands (its state, task and pace are every run's)."""

    runs: tuple[Snapshot, ...]  # in the order the methods were asked for
    run: int  # increases on every reset, as Snapshot.run
    state: State  # running while any run trains; finished when every run has ended
    pace: float | None
    auto_advance: bool

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(snap.scene.config.method.name for snap in self.runs)

    @property
    def lead(self) -> Snapshot:
        """The run whose counters the status line shows: the first one still training."""
        return next((s for s in self.runs if s.state is not State.DIVERGED), self.runs[0])

    @property
    def scene(self) -> Scene:
        return self.lead.scene

    @property
    def task(self) -> int:
        return max(snap.task for snap in self.runs)

    @property
    def epoch(self) -> int:
        return self.lead.epoch

    @property
    def step(self) -> int:
        return self.lead.step

    @property
    def message(self) -> str:
        failed = [
            f"{snap.scene.config.method.name}: {snap.message}"
            for snap in self.runs
            if snap.state is State.DIVERGED
        ]
        return "; ".join(failed)
