"""The registry of continual-learning methods, by the name presets and --method use.

Each method is described here as plain data (summary, settings and their defaults) with no
torch import, so validating a preset, `cftui methods` and the pickers start without loading
torch. A method's class, in ``cftui/methods/<name>.py``, is imported only when a run is built.
Adding a method: that file with a Method subclass, and one record in METHODS.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cftui.train.methods.base import Method


@dataclass(frozen=True)
class MethodInfo:
    name: str  # the key presets and --method use; the class lives in cftui/methods/<name>.py
    class_name: str  # the Method subclass in that module
    summary: str  # one line for `cftui methods` and the method picker
    defaults: Mapping[str, Any] = field(default_factory=dict)  # the settings a preset may set
    most: Mapping[str, float] = field(default_factory=dict)  # upper bounds of settings that
    # have one (every setting is >= 0)
    task_aware: bool = False  # told which task an input belongs to, in training and at test
    # (the task-incremental scenario: a head, mask or weights per task); the others see x
    # alone (domain-incremental: one output for every task)
    optimizer_lifetime: str = "run"  # as its paper trains: "run", one optimizer throughout;
    # "task", a fresh one at each task ([train] optimizer_lifetime = "method" follows this)

    @property
    def scenario(self) -> str:
        """How the method is shown wherever it is named."""
        return "task id given" if self.task_aware else ""

    def __post_init__(self) -> None:  # read-only: every run and preset shares this table
        object.__setattr__(self, "defaults", types.MappingProxyType(dict(self.defaults)))


METHODS = (
    MethodInfo("naive", "Naive", "plain fine-tuning: each task in turn, nothing kept (forgets)"),
    MethodInfo("joint", "Joint", "retrain on all data seen so far (the expensive upper bound)"),
    MethodInfo(
        "replay",
        "Replay",
        "mix a reservoir sample of past points into every batch",
        {"buffer": 200},  # points kept from all past tasks together
    ),
    MethodInfo(
        "ewc",
        "EWC",
        "elastic weight consolidation: a Fisher-weighted pull to each old task's weights",
        # strength of the pull; large, since the Fisher scales with the squared residual
        # (about noise²) at the end of the task
        {"lambda": 1e4},
    ),
    MethodInfo(
        "online_ewc",
        "OnlineEWC",
        "online EWC: one running Fisher (decayed by gamma) and one anchor",
        {
            "lambda": 1e4,  # strength of the pull (as for ewc)
            "gamma": 1.0,  # decay of the old Fisher at each new task (1 = keep it whole)
        },
    ),
    MethodInfo(
        "si",
        "SI",
        "synaptic intelligence: importance from each weight's share of the loss drop",
        {
            "c": 1.0,  # strength of the pull
            "xi": 0.1,  # damping: keeps Omega finite for weights that barely moved
        },
    ),
    MethodInfo(
        "mas",
        "MAS",
        "memory aware synapses: a pull weighted by how much each weight moves f(x)",
        {"lambda": 1.0},  # strength of the pull
    ),
    MethodInfo(
        "l2",
        "L2",
        "a plain pull toward the previous task's weights, every weight alike",
        {"lambda": 0.3},  # strength of the pull
    ),
    MethodInfo(
        "lwf",
        "LwF",
        "learning without forgetting: keep the old model's outputs on the new inputs",
        {"alpha": 1.0},  # weight of the distillation term
    ),
    MethodInfo(
        "agem",
        "AGEM",
        "project each step so the loss on a small memory of old points does not rise",
        {
            "memory": 50,  # points kept per past task
            "sample": 100,  # memory points drawn for each step's reference gradient
        },
    ),
    MethodInfo(
        "multihead",
        "MultiHead",
        "one shared basis, one regressor head per task (the task-incremental baseline)",
        {"freeze_basis": False},  # stop training the basis after task 1
        task_aware=True,
    ),
    MethodInfo(
        "packnet",
        "PackNet",
        "prune after each task, retrain what is kept, freeze it: a share of weights per task",
        {
            "prune": 0.5,  # fraction of a task's weights released for later tasks
            "retrain_epochs": 100,  # full-batch steps retraining the kept weights alone
            "retrain_lr": 0.01,  # learning rate of that retraining (50 steps at 0.001 left
            # task 1 of fourier-thirds at 2x its fit at 0.01: benchmarks/RESULTS.md)
        },
        most={"prune": 0.99},  # pruning every weight would leave the task nothing
        task_aware=True,
    ),
    MethodInfo(
        "hnet",
        "HNet",
        "a hypernetwork makes every weight from a learned task embedding; old outputs held",
        {
            "beta": 1e-4,  # strength of the output regulariser on earlier tasks' weights
            # (a sum over every generated weight: the reference toy's 0.005 over 141
            # weights held the article's 23,101 so hard that task 2 could not fit)
            "embedding": 8,  # size of each task's learned embedding
            "width": 32,  # units in each hidden layer of the hypernetwork
            "depth": 2,  # hidden layers of the hypernetwork
            "chunk": 2048,  # weights made per pass (0: all at once, the reference toy's)
            "chunk_embedding": 8,  # size of each chunk's learned embedding
        },
        most={"embedding": 4096, "width": 4096, "depth": 16, "chunk": 1_000_000},  # beyond:
        # a typo, not a plan
        task_aware=True,
        optimizer_lifetime="task",  # hypercl makes new optimizers at every task
    ),
)
_BY_NAME = {record.name: record for record in METHODS}


def setting_text(value: Any) -> str:
    """A setting as a preset writes it: true/false, or a number (10000, not 10000.0)."""
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def info(name: str) -> MethodInfo:
    """What a method is and which settings it takes; imports no torch."""
    return _BY_NAME[name]


def get(name: str) -> type[Method]:
    """The method's class, called as ``cls(params, seed)``; this imports torch."""
    record = _BY_NAME[name]
    return getattr(importlib.import_module(f"{__name__}.{name}"), record.class_name)
