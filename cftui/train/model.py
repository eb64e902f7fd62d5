"""The regressor: S independent MLPs trained as one, each with a chosen hidden activation and
a linear head.

Every weight has a leading seed dimension and every input is ``[S, N, 1]``: one batched
matmul (``baddbmm``) per layer serves all seeds, and the loss is the sum of the seeds'
losses, so each seed's gradient is its own and one Adam over the stacked weights is S
independent Adams (Adam is elementwise). One seed is S = 1 of the same code: the TUI, a
single ``cftui run`` and a batched ``compare`` train through one path.

Its shape follows the article: ``basis`` (hidden layers) then ``regressor`` (one linear
layer), so methods and plots can tell the learned features from the readout. Its optimizer
is built here too, so the trainer, the tests and the benchmark train with the same one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import torch
from torch import nn

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
}
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "gelu": nn.GELU,
}


class StackedLinear(nn.Module):
    """S linear layers in one: weight ``[S, in, out]``, bias ``[S, 1, out]``."""

    def __init__(self, layers: Sequence[nn.Linear]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.stack([layer.weight.detach().T for layer in layers]))
        self.bias = nn.Parameter(torch.stack([layer.bias.detach()[None] for layer in layers]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.bias, x, self.weight)


class MLP(nn.Module):
    def __init__(self, layers: Sequence[int], activation: str, seeds: Sequence[int]) -> None:
        """One network per seed, each initialised exactly as ``torch.nn.Linear`` layers
        drawn after ``torch.manual_seed(seed)`` would be."""
        super().__init__()
        if len(layers) < 2:
            raise ValueError(f"an MLP needs at least input and output widths, got {list(layers)}")
        *hidden, regressor = stacked_layers(list(itertools.pairwise(layers)), seeds)
        self.basis = with_activation(hidden, activation)  # registered first: basis, then head
        self.regressor = regressor
        self.linears = [*hidden, regressor]
        self.activation = self.basis[1] if hidden else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return stacked_forward(x, [(m.weight, m.bias) for m in self.linears], self.activation)


def stacked_forward(
    x: torch.Tensor, layers: Sequence[tuple[torch.Tensor, torch.Tensor]], activation: nn.Module
) -> torch.Tensor:
    """``x`` ``[S, N, in]`` through S MLPs at once, given per layer as (weight
    ``[S, in, out]``, bias ``[S, 1, out]``): one batched matmul per layer, the activation
    after every layer but the last. The one forward pass of the plain MLP, PackNet's masked
    weights and the hypernetwork's generated ones."""
    *hidden, (weight, bias) = layers
    for w, b in hidden:
        x = activation(torch.baddbmm(b, x, w))
    return torch.baddbmm(bias, x, weight)


def stacked_layers(shapes: Sequence[tuple[int, int]], seeds: Sequence[int]) -> list[StackedLinear]:
    """Linear layers of the given (in, out) shapes, one per seed in each: seed s's are the
    ``torch.nn.Linear`` layers drawn in that order after ``torch.manual_seed(s)``, on the
    CPU, leaving the global RNG state alone."""
    drawn = []
    for seed in seeds:
        with torch.random.fork_rng(devices=[]), torch.device("cpu"):
            torch.manual_seed(seed)
            drawn.append([nn.Linear(a, b) for a, b in shapes])
    return [StackedLinear([layers[i] for layers in drawn]) for i in range(len(shapes))]


def with_activation(layers: Sequence[nn.Module], activation: str) -> nn.Sequential:
    """``layers`` with the activation after each: a basis of hidden features."""
    return nn.Sequential(*(m for layer in layers for m in (layer, ACTIVATIONS[activation]())))


def build(
    layers: Sequence[int], activation: str, seeds: Sequence[int], device: torch.device
) -> MLP:
    """The stacked MLP. The weights are drawn on the CPU, then moved: the same seed gives
    the same network on every device."""
    return MLP(layers, activation, seeds).to(device)


def optimizer(name: str, params: Iterable[nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """Adam or SGD, as one fused kernel where torch has one for the device: the same update
    up to float rounding, and 35 % more steps per second on a CPU here than torch's default
    loop over the parameters (benchmarks/RESULTS.md). Elsewhere, torch's default."""
    params = list(params)
    try:
        return OPTIMIZERS[name](params, lr=lr, fused=True)
    except RuntimeError:  # no fused kernel for this device in this torch
        return OPTIMIZERS[name](params, lr=lr)
