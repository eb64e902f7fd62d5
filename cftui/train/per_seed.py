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


class StreamReservoir:
    """Per seed, a uniform sample of fixed ``size`` of every item offered so far (Vitter's
    algorithm R, as DER++ and ER-ACE keep their buffers): the p-th item (from 0) enters with
    probability size / (p + 1), in a slot drawn from the seed's own stream. A batch of items
    is offered at once; where two of its items draw one slot the later one stays, as if they
    came one by one. Each item is one row of tensors ``[S, n, ...]`` (points, labels, logits).
    """

    def __init__(self, size: int, generators: Sequence[torch.Generator]) -> None:
        self.size, self.generators, self.seen = size, generators, 0
        self.rows: list[torch.Tensor] = []  # one [S, size, ...] tensor per part of an item

    @property
    def filled(self) -> int:
        return min(self.seen, self.size)

    def offer(self, *parts: torch.Tensor) -> None:
        """The next items, each ``parts[i][s, j]`` for seed s and item j."""
        seeds, n, device = parts[0].shape[0], parts[0].shape[1], parts[0].device
        if not self.rows:
            self.rows = [part.new_zeros(seeds, self.size, *part.shape[2:]) for part in parts]
        position = torch.arange(self.seen, self.seen + n, device=device).expand(seeds, n)
        chance = each_stream(lambda g: torch.rand(n, generator=g), self.generators, device)
        slot = torch.where(position < self.size, position, (chance * (position + 1)).long())
        slot = slot.clamp(max=self.size)  # slot `size`: not kept (a spare column, dropped)
        order = torch.arange(n, device=device).expand(seeds, n)
        latest = torch.full((seeds, self.size + 1), -1, device=device)
        latest = latest.scatter_reduce(1, slot, order, "amax")[:, : self.size]
        hit, index = latest >= 0, latest.clamp(min=0)
        for i, part in enumerate(parts):
            chosen = take(part.flatten(2), index).view_as(self.rows[i])
            shape = hit.view(*hit.shape, *[1] * (part.dim() - 2))
            self.rows[i] = torch.where(shape, chosen.to(self.rows[i].dtype), self.rows[i])
        self.seen += n

    def draw(self, count: int) -> list[torch.Tensor]:
        """Per seed, ``count`` stored items (or all there are) without replacement, in the
        seed's own random order: one ``[S, count, ...]`` tensor per part."""
        device = self.rows[0].device
        pick = permutations(self.generators, self.filled, device, keep=count)
        return [take(row.flatten(2), pick).view(*pick.shape, *row.shape[2:]) for row in self.rows]
