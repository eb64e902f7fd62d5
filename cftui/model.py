"""The regressor: an MLP with a chosen hidden activation and a linear head.

Its shape follows the article: ``basis`` (hidden layers) then ``regressor`` (one linear
layer), so methods and plots can tell the learned features from the readout. Its optimizer
is built here too, so the engine, the tests and the benchmark train with the same one.
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


class MLP(nn.Module):
    def __init__(self, layers: Sequence[int], activation: str = "sigmoid") -> None:
        super().__init__()
        if len(layers) < 2:
            raise ValueError(f"an MLP needs at least input and output widths, got {list(layers)}")
        hidden: list[nn.Module] = []
        for width_in, width_out in itertools.pairwise(layers[:-1]):
            hidden += [nn.Linear(width_in, width_out), ACTIVATIONS[activation]()]
        self.basis = nn.Sequential(*hidden)
        self.regressor = nn.Linear(layers[-2], layers[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.regressor(self.basis(x))


def build(layers: Sequence[int], activation: str, seed: int, device: torch.device) -> MLP:
    """The MLP with initial weights drawn from ``seed`` alone, leaving global RNG state alone.

    The weights are drawn on the CPU, then moved: the same seed gives the same network on
    every device."""
    with torch.random.fork_rng(devices=[]), torch.device("cpu"):
        torch.manual_seed(seed)
        model = MLP(layers, activation)
    return model.to(device)


def optimizer(name: str, params: Iterable[nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """Adam or SGD, as one fused kernel where torch has one for the device: the same update
    up to float rounding, and 35 % more steps per second on a CPU here than torch's default
    loop over the parameters (benchmarks/RESULTS.md). Elsewhere, torch's default."""
    params = list(params)
    try:
        return OPTIMIZERS[name](params, lr=lr, fused=True)
    except RuntimeError:  # no fused kernel for this device in this torch
        return OPTIMIZERS[name](params, lr=lr)
