"""What the penalty methods share: anchors, importances and per-sample gradients.

EWC, online EWC, SI, MAS and L2 all add ``scale * sum_i Omega_i (theta_i - theta*_i)^2`` over
one or more (importance, anchor) pairs; they differ only in how Omega is estimated.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from cftui.train.methods.base import Method

Tensors = list[torch.Tensor]
CHUNK = 512  # samples per vmap chunk when computing per-sample gradients


def detached(model: nn.Module) -> Tensors:
    """A frozen copy of the model's parameters (an anchor)."""
    return [p.detach().clone() for p in model.parameters()]


def weighted_distance(model: nn.Module, importance: Tensors, anchor: Tensors) -> torch.Tensor:
    """sum_i Omega_i (theta_i - theta*_i)^2 over every parameter tensor."""
    terms = [
        (w * (p - a) ** 2).sum()
        for p, w, a in zip(model.parameters(), importance, anchor, strict=True)
    ]
    return torch.stack(terms).sum()


def per_sample_gradients(
    model: nn.Module,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
) -> Tensors:
    """d loss(f(x_n), y_n) / d theta for every sample n: one ``[N, S, *shape]`` tensor per
    parameter, from inputs ``[S, N, 1]``. ``loss`` sums over seeds; as each seed's output
    depends on its own weights alone, the gradient's seed s part is seed s's own."""
    names = [name for name, _ in model.named_parameters()]
    params = {name: p.detach() for name, p in model.named_parameters()}

    def one(params: dict, xn: torch.Tensor, yn: torch.Tensor) -> torch.Tensor:
        return loss(functional_call(model, params, (xn.unsqueeze(1),)), yn.unsqueeze(1))

    grads = vmap(grad(one), in_dims=(None, 1, 1), chunk_size=CHUNK)(params, x, y)
    return [grads[name] for name in names]


class QuadraticPenalty(Method):
    """A method whose penalty is ``scale`` times a sum of weighted distances to anchors."""

    scale_key = "lambda"
    scale_factor = 1.0  # EWC writes (lambda / 2)

    def __init__(self, params, seeds) -> None:
        super().__init__(params, seeds)
        self.terms: list[tuple[Tensors, Tensors]] = []  # (importance, anchor) pairs

    @property
    def scale(self) -> float:
        return self.scale_factor * self.params[self.scale_key]

    def penalty(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor | None:
        if not self.terms:
            return None
        return self.scale * sum(weighted_distance(model, w, a) for w, a in self.terms)
