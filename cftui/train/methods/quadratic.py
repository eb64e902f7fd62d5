"""What the penalty methods share: anchors and importances (per_seed.py makes the per-sample
gradients EWC and MAS estimate them from).

EWC, online EWC, SI, MAS and L2 all add ``scale * sum_i Omega_i (theta_i - theta*_i)^2`` over
one or more (importance, anchor) pairs; they differ only in how Omega is estimated.
"""

from __future__ import annotations

import torch
from torch import nn

from cftui.train.methods.base import Method
from cftui.train.per_seed import Tensors


def detached(model: nn.Module) -> Tensors:
    """A frozen copy of the model's parameters (an anchor)."""
    return [p.detach().clone() for p in model.parameters()]


def floored(importance: Tensors, share: float) -> Tensors:
    """``importance`` with every exact zero raised to ``share`` x its tensor's mean, per seed.

    A diagonal importance (EWC's Fisher, SI's path integral, MAS's sensitivity) is exactly
    zero for a weight that no point of the task moves: the incoming and outgoing weights of a
    relu unit silent on all of them. There zero means "not measured", not "free": a later task
    can wake that unit over the old task's range at no cost, which is where these methods lost
    to naive on the generated zoo (benchmarks/RESULTS.md, *The zoo, continued*). A smooth
    activation's importances are never exactly zero: those pass unchanged.
    """
    if share == 0:  # the paper's method, exactly (0 x a diverged mean would be nan)
        return importance
    out = []
    for w in importance:
        mean = w.reshape(len(w), -1).mean(1).view(-1, *[1] * (w.dim() - 1))  # [S, 1, ...]
        out.append(torch.where(w == 0, share * mean, w))
    return out


def weighted_distance(model: nn.Module, importance: Tensors, anchor: Tensors) -> torch.Tensor:
    """sum_i Omega_i (theta_i - theta*_i)^2 over every parameter tensor."""
    terms = [
        (w * (p - a) ** 2).sum()
        for p, w, a in zip(model.parameters(), importance, anchor, strict=True)
    ]
    return torch.stack(terms).sum()


class QuadraticPenalty(Method):
    """A method whose penalty is ``scale`` times a sum of weighted distances to anchors."""

    scale_key = "lambda"
    scale_factor = 1.0  # EWC writes (lambda / 2)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.terms: list[tuple[Tensors, Tensors]] = []  # (importance, anchor) pairs

    @property
    def scale(self) -> float:
        return self.scale_factor * self.params[self.scale_key]

    def measured(self, importance: Tensors) -> Tensors:
        """A task's importances as the penalty uses them: its zeros floored (``floored``)."""
        return floored(importance, self.params["silent_floor"])

    def penalty(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor | None:
        if not self.terms:
            return None
        return self.scale * sum(weighted_distance(model, w, a) for w, a in self.terms)
