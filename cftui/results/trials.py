"""Methods side by side, headless: each on the same data and the same initial weights.

The seed fixes both the data and the initial weights, so for one seed every method starts
from the same place. A method's seeds train at once, as one stacked model; each seed's
numbers equal a single run of that seed up to float rounding (results.summary reports them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from cftui.results.summary import Outcome
from cftui.train.config import Config
from cftui.train.snapshot import State
from cftui.train.trainer import Trainer


def run_all(
    config: Config,
    method_names: Sequence[str],
    seeds: Sequence[int],
    device: torch.device,
    progress: Callable[[str], None] = lambda method: None,
) -> list[Outcome]:
    """Every method over every seed, a method's seeds trained at once."""
    outcomes = []
    for name in method_names:
        progress(name)
        trainer = Trainer(config.with_overrides(method=name), device, seeds=seeds)
        trainer.run()
        outcomes += seed_outcomes(trainer)
    return outcomes


def seed_outcomes(trainer: Trainer) -> list[Outcome]:
    """Each seed's outcome of a finished (or wholly diverged) run."""
    now, seeds = trainer.now, trainer.data.seeds
    rows = [[row[s].tolist() for row in now.loss_matrix] for s in range(len(seeds))]
    accuracy = [[row[s].tolist() for row in now.accuracy_matrix] for s in range(len(seeds))]
    share = now.train_seconds / len(seeds)
    return [
        Outcome(
            trainer.config.method.name,
            seed,
            rows[s],
            share,
            str(State.DIVERGED if now.failures[s] else now.state),
            now.failures[s],
            accuracy[s] if now.accuracy is not None else None,
        )
        for s, seed in enumerate(seeds)
    ]
