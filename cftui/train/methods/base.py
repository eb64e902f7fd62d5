"""The one interface every continual-learning method implements.

The trainer calls these hooks and knows nothing else about a method, so adding a method is
this file's subclass in ``<name>.py`` plus ``<name>.toml`` beside it (its summary, settings
and text, read by the registry in __init__.py). Every hook has a do-nothing default: plain
fine-tuning (``naive``) overrides none of them.

A run trains S seeds at once (model.MLP): every parameter has a leading seed dimension and
every batch is ``[S, N, F]``, its targets ``[S, N, 1]``. A method keeps its math per seed:
elementwise state (Fisher, Omega, anchors) is per seed by its shape; the rest goes through
cftui/train/per_seed.py, the one home of the per-seed helpers: each seed's own random stream
(draws, permutations), per-seed rows (take), losses, per-sample gradients, and flat ``[S, P]``
views (A-GEM's dot products sum per seed). What a loss or a likelihood is (MSE or
cross-entropy) a method asks its objective (objective.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from torch import nn

from cftui.train import methods, model, per_seed
from cftui.train.objective import Classification, Regression

if TYPE_CHECKING:
    from cftui.train.config import ModelConfig
    from cftui.train.seed_data import SeedData


REGRESSION = Regression()


class Method:
    """Hooks around training; ``self.params`` is the registry's defaults updated by ``params``."""

    name: ClassVar[str]  # the registry key: methods.info(name) is its <name>.toml

    def __init__(
        self,
        params: Mapping[str, Any],
        seeds: Sequence[int],
        objective: Regression | Classification = REGRESSION,
    ) -> None:
        """``objective``: what the run minimises, and the likelihood a method's math is
        defined on (a Fisher, a distillation): a regression's MSE or a softmax's
        cross-entropy (objective.py)."""
        self.params = {**methods.info(self.name).defaults, **params}
        self.seeds = tuple(seeds)
        self.objective = objective

    @property
    def task_aware(self) -> bool:
        """Whether the trainer tells the model which task it is on: ``model(x, task)``."""
        return methods.info(self.name).task_aware

    def build_model(self, config: ModelConfig, n_tasks: int, device: torch.device) -> nn.Module:
        """The network this method trains: by default the article's MLP, one per seed. An
        architectural method builds its own (a head per task, masks, a hypernetwork)."""
        return model.build(config.layers, config.activation, self.seeds, device)

    def training_set(self, data: SeedData, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The points an epoch of task ``k`` iterates over: by default task k's own."""
        return data.train(k)

    def before_task(self, model: nn.Module, data: SeedData, k: int) -> None:
        """Called once before the first step of task ``k``."""

    def batch(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Compose the batch the loss is computed on (replay mixes in old points)."""
        return x, y

    def penalty(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor | None:
        """A term added to the summed loss (EWC, SI, ...): a sum of per-seed terms, or None."""
        return None

    def after_backward(self, model: nn.Module) -> None:
        """Change the gradients before the optimizer step (A-GEM)."""

    def after_step(self, model: nn.Module) -> None:
        """Called after each optimizer step (SI's path integral)."""

    def after_task(self, model: nn.Module, data: SeedData, k: int) -> None:
        """Called once when task ``k`` ends (anchors, Fisher, buffers)."""


class StreamReplay(Method):
    """A method that keeps a reservoir of every batch it trains on (DER++, ER-ACE): each
    seed draws from its own stream; ``self.task`` is the task in training and ``self.y`` the
    labels of the batch training now, which penalty() offers the buffer beside its inputs."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.draws = per_seed.draws(self.seeds)
        self.buffer = per_seed.StreamReservoir(self.params["buffer"], self.draws)

    def before_task(self, model, data, k):
        self.task = k

    def batch(self, x, y):
        self.y = y
        return x, y
