"""HNET (von Oswald, Henning, Grewe & Sacramento, ICLR 2020): a hypernetwork h maps a learned
embedding e_t of each task to every weight of the target MLP, which then answers task t.

Only the current task's embedding and h learn. Before task t, h's outputs for the earlier
embeddings are stored as targets, and an output regulariser keeps them:
    beta / t * sum_{t' < t} || h(e_t') - h*(e_t') ||^2
(squared L2 over the whole generated weight vector, as in the reference code chrhenning/hypercl,
whose look-ahead of the optimizer step is left out here). Raising ``beta`` holds old tasks'
weights harder and leaves h less freedom for the new one. The hypernetwork's hidden layers
(``depth`` of ``width`` units, sigmoid) and the embedding size set its capacity.
"""

import itertools

import torch
from torch import nn

from cftui import model
from cftui.methods.base import Method
from cftui.seed_data import draws


class HyperMLP(nn.Module):
    """S hypernetworks stacked (one per seed), each with one embedding per task, generating
    the target MLP's weights ``[in, out]`` and biases per layer, in layer order."""

    def __init__(self, layers, activation, seeds, n_tasks, embedding, width, depth) -> None:
        super().__init__()
        self.shapes = [s for a, b in itertools.pairwise(layers) for s in ((a, b), (1, b))]
        self.activation = model.ACTIVATIONS[activation]()
        size = sum(a * b for a, b in self.shapes)
        widths = [embedding, *[width] * depth, size]
        hidden = model.stacked_layers(list(itertools.pairwise(widths)), seeds)
        self.hnet = nn.Sequential(*model.with_activation(hidden[:-1], "sigmoid"), hidden[-1])
        streams = draws(seeds)
        with torch.device("cpu"):  # where the streams live; build() moves the model after
            drawn = torch.stack(  # [S, T, E], N(0, 1) from each seed's own stream
                [torch.randn(n_tasks, embedding, generator=stream) for stream in streams]
            )
        self.embeddings = nn.ParameterList(  # one per task: an unused one gets no gradient,
            nn.Parameter(drawn[:, t : t + 1].clone())
            for t in range(n_tasks)  # so no step
        )

    def weights(self, task: int, frozen: bool = False) -> torch.Tensor:
        """The generated weights for ``task``, ``[S, P]``; ``frozen``: its embedding held."""
        embedding = self.embeddings[task]
        return self.hnet(embedding.detach() if frozen else embedding).squeeze(1)

    def forward(self, x, task: int):
        flat = self.weights(task)
        sizes = [a * b for a, b in self.shapes]
        pieces = zip(flat.split(sizes, 1), self.shapes, strict=True)
        parts = [piece.view(-1, *shape) for piece, shape in pieces]
        last = len(parts) // 2 - 1
        for i, (weight, bias) in enumerate(zip(parts[::2], parts[1::2], strict=True)):
            x = torch.baddbmm(bias, x, weight)
            if i < last:
                x = self.activation(x)
        return x


class HNet(Method):
    name = "hnet"

    def build_model(self, config, n_tasks, device):
        p = self.params
        return HyperMLP(
            config.layers,
            config.activation,
            self.seeds,
            n_tasks,
            p["embedding"],
            p["width"],
            p["depth"],
        ).to(device)

    def before_task(self, model, data, k):
        with torch.no_grad():
            self.targets = [model.weights(t) for t in range(k)]  # h* of the earlier tasks

    def penalty(self, model, x):
        if not self.targets:
            return None
        drift = sum(
            (model.weights(t, frozen=True) - target).pow(2).sum()
            for t, target in enumerate(self.targets)
        )
        return self.params["beta"] / len(self.targets) * drift
