"""The helpers that keep a method's math per seed when S seeds train as one stacked model.

Every parameter has a leading seed dimension and every batch is ``[S, N, F]`` (model.MLP;
``stacked`` makes one from every seed's numpy arrays). What draws at random draws from each
seed's own stream, so seed s draws what a single run of s would; what sums (a loss, a dot
product) sums within each seed; what is taken per sample (a gradient, a row) is taken per
seed. methods/base.py points here: a method needs nothing else to stay per seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, grad, vmap

Tensors = list[torch.Tensor]
CHUNK = 512  # samples per vmap chunk when computing per-sample gradients


def draws(seeds: Sequence[int]) -> list[torch.Generator]:
    """One CPU random stream per seed, so seed s draws what a single run of s draws."""
    return [torch.Generator().manual_seed(seed) for seed in seeds]


def each_stream(
    draw: Callable[[torch.Generator], torch.Tensor],
    generators: Sequence[torch.Generator],
    device: torch.device,
) -> torch.Tensor:
    """``draw(generator)`` for each seed's stream (on the CPU, where the streams live, as a
    single run draws them), stacked and moved to ``device``."""
    with torch.device("cpu"):
        return torch.stack([draw(g) for g in generators]).to(device)


def permutations(
    generators: Sequence[torch.Generator], n: int, device: torch.device, keep: int | None = None
) -> torch.Tensor:
    """Per seed, a random order of ``n`` items from that seed's stream (its first ``keep``):
    ``[S, keep or n]``; minibatches, replay's stream order, A-GEM's memories and samples."""
    return each_stream(lambda g: torch.randperm(n, generator=g)[:keep], generators, device)


def take(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Per seed, the rows ``index[s]`` of ``values[s]``: ``[S, N, F]`` -> ``[S, B, F]``.
    One gather (a third of the time of indexing with a seed column, on every minibatch)."""
    return values.gather(1, index.unsqueeze(-1).expand(-1, -1, values.shape[-1]))


def seed_losses(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Each seed's MSE, ``[S]``. Training minimises their sum, so every seed's gradient is
    that of its own MSE (a mean over seeds would shrink each by 1/S)."""
    return (output - target).pow(2).flatten(1).mean(1)


def per_sample_gradients(
    model: nn.Module,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
) -> Tensors:
    """d loss(f(x_n), y_n) / d theta for every sample n: one ``[N, S, *shape]`` tensor per
    parameter, from inputs ``[S, N, F]``. ``loss`` sums over seeds; as each seed's output
    depends on its own weights alone, the gradient's seed s part is seed s's own."""
    names = [name for name, _ in model.named_parameters()]
    params = {name: p.detach() for name, p in model.named_parameters()}

    def one(params: dict, xn: torch.Tensor, yn: torch.Tensor) -> torch.Tensor:
        return loss(functional_call(model, params, (xn.unsqueeze(1),)), yn.unsqueeze(1))

    grads = vmap(grad(one), in_dims=(None, 1, 1), chunk_size=CHUNK)(params, x, y)
    return [grads[name] for name in names]


def flat(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    """Each seed's tensors (parameters, gradients) end to end: ``[S, P]``."""
    return torch.cat([t.flatten(1) for t in tensors], 1)


def unflat(values: torch.Tensor, shapes: Sequence[Sequence[int]]) -> Tensors:
    """``[S, P]`` cut back into per-seed tensors ``[S, *shape]`` (views), one per shape in
    order: the inverse of ``flat``."""
    sizes = [torch.Size(shape).numel() for shape in shapes]
    pieces = zip(values.split(sizes, 1), shapes, strict=True)
    return [piece.view(-1, *shape) for piece, shape in pieces]


def stacked(values: np.ndarray, device: torch.device) -> torch.Tensor:
    """``[S, N]`` numbers as the model's ``[S, N, 1]`` (``[S, N, 2]`` points stay as they
    are): float32, or int64 for class indices."""
    kind = torch.long if np.issubdtype(values.dtype, np.integer) else torch.float32
    tensor = torch.as_tensor(values, dtype=kind, device=device)
    return tensor.unsqueeze(-1) if values.ndim == 2 else tensor
