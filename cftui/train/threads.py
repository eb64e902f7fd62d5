"""How many CPU threads torch gives one training step: one rule for every command that trains.

torch's default is a thread per core, and a step ends only when its slowest thread does. A
step of the article's MLP is about a millisecond; beside one other busy process on two cores,
one of those threads waits for a time slice at every step, and `cftui run` took 26.5 s
instead of 0.4 s. Measured here (benchmarks/contention.py, seeds_bench.py, RESULTS.md): a
second thread makes a step 1.1x (one article MLP) to 1.6x (16 at once) faster on an idle
machine, and 3-5x slower beside a busy process, whatever the step's size. So the rule loses
least in the worse case:

- the user's word wins: ``--threads N``, else OMP_NUM_THREADS or MKL_NUM_THREADS (torch read
  them when it loaded), else a thread per WORK_PER_THREAD of a step's arithmetic;
- never more than half the cores this process may run on (its CPU affinity, not the
  machine's count), so one busy neighbour never takes a core from a thread of ours: on two
  cores, always one thread;
- on a GPU the host only launches kernels: one thread.

A library caller who builds a Trainer directly keeps whatever torch.set_num_threads they set:
only the commands apply this rule. Imports torch only in :func:`apply`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from cftui.train.config import Config

WORK_PER_THREAD = 3e8  # flops of one step a thread must have to itself, where cores are
# many: one article MLP's step (1.1e7) gained 1.1x from a second thread, 16 at once (2.2e8) 1.6x
ENVIRONMENT = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")  # the user's count, which torch obeys
FLOPS_PER_WEIGHT = 6  # per point and weight: 2 forward (multiply, add), 4 backward


@dataclass(frozen=True)
class Threads:
    """A count of intra-op threads and why it is that count, for the device line."""

    count: int
    why: str

    def __str__(self) -> str:
        return f"{self.count} thread{'s' if self.count > 1 else ''}"


def usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def step_flops(config: Config, copies: int) -> float:
    """The arithmetic of one optimizer step of ``copies`` models (seeds x methods side by
    side): a batch through every weight, forward and back."""
    layers = config.model.layers
    weights = sum(a * b + b for a, b in itertools.pairwise(layers))
    train_points = round(config.data.points_per_task * (1 - config.data.test_fraction))
    points = config.train.batch_size or train_points
    return FLOPS_PER_WEIGHT * copies * points * weights


def choose(flops: float, cores: int) -> int:
    """A thread per WORK_PER_THREAD flops, at least one, at most half of ``cores``."""
    return max(1, min(int(flops // WORK_PER_THREAD), cores // 2))


def decide(
    config: Config,
    copies: int,
    device: str = "cpu",
    flag: int | None = None,
    cores: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Threads:
    """The count for a run of ``config`` with ``copies`` models on ``device``; ``cores``:
    the cores this run may use (default: this process's affinity)."""
    if flag is not None:
        return Threads(flag, "--threads")
    for name in ENVIRONMENT:
        if (value := environ.get(name, "")).isdigit() and int(value) > 0:
            return Threads(int(value), name)
    if device != "cpu":
        return Threads(1, f"the step runs on {device}")
    cores = usable_cores() if cores is None else cores
    flops = step_flops(config, copies)
    return Threads(choose(flops, cores), f"a step of {flops / 1e6:.0f} MFLOP, {cores} cores")


def apply(
    config: Config,
    copies: int,
    device: str | torch.device = "cpu",
    flag: int | None = None,
    cores: int | None = None,
) -> Threads:
    """Decide, and set torch's intra-op threads to the count."""
    import torch

    threads = decide(config, copies, torch.device(device).type, flag, cores)
    torch.set_num_threads(threads.count)
    return threads


def describe(device: torch.device) -> str:
    """The device line: where a step runs and, on a CPU, on how many threads."""
    import torch

    if device.type != "cpu":
        return str(device)
    return f"cpu, {Threads(torch.get_num_threads(), '')}"
