"""HNET (von Oswald, Henning, Grewe & Sacramento, ICLR 2020): a hypernetwork h maps a learned
embedding e_t of each task to every weight of the target MLP, which then answers task t.

Only the current task's embedding and h learn. Before task t, h's outputs for the earlier
embeddings are stored as targets, and an output regulariser keeps them:
    beta / t * sum_{t' < t} || h(e_t') - h*(e_t') ||^2
(squared L2 over the whole generated weight vector, as in the reference code chrhenning/hypercl,
whose look-ahead of the optimizer step is left out here). As in the paper, each task starts
with a fresh optimizer (methods/__init__.py declares it). Raising ``beta`` holds old tasks'
weights harder and leaves h less freedom for the new one.

A large target is made in **chunks** (the paper's §3): one small network takes the task
embedding beside a learned embedding of chunk c and emits ``chunk`` weights, c = 0, 1, ...,
so h's size follows the chunk, not the target (at the defaults, 128 wide, the article's
23,101 weights come from 286,000 parameters; an unchunked h of the same width needs
3,000,000). A chunk spans layers whose weights want very different scales, which no init of
the shared output layer can give each; so every generated weight is h's output times its
layer's default init scale (what hyperfan init, Chang et al. 2020, aims for through h's
init instead). ``chunk = 0`` makes all weights at once from the task embedding alone,
unscaled: the reference's small "full" hypernetwork.
"""

import itertools
import math

import torch
from torch import nn

from cftui.train import model
from cftui.train.methods.base import Method
from cftui.train.per_seed import draws, unflat

# where a fixed beta was tuned: 1e-4 on the article's network, which generates 23,101 weights
ARTICLE_BETA, ARTICLE_WEIGHTS = 1e-4, 23_101
# h's readout is scaled as muP scales an output layer for Adam (Yang, Hu et al. 2021, Tensor
# Programs V): each of its fan_in weights moves about lr a step, so what h emits moves fan_in
# times as far; a multiplier TUNED_WIDTH / fan_in (the stored weights times its inverse: the
# same function at init) gives a wider h the steps of the 32-wide one the defaults were tuned
# with. A narrower h (the reference toy's) is left as it is.
TUNED_WIDTH = 32


class HyperMLP(nn.Module):
    """S hypernetworks stacked (one per seed), each with one embedding per task (and, when
    chunked, one per chunk), generating the target MLP's weights ``[in, out]`` and biases per
    layer, in layer order."""

    def __init__(
        self,
        layers,
        activation,
        seeds,
        n_tasks,
        embedding,
        width,
        depth,
        chunk=0,
        chunk_embedding=0,
    ) -> None:
        super().__init__()
        self.shapes = [s for a, b in itertools.pairwise(layers) for s in ((a, b), (1, b))]
        self.activation = model.ACTIVATIONS[activation]()
        self.size = sum(a * b for a, b in self.shapes)
        chunk = chunk or self.size
        self.chunks = math.ceil(self.size / chunk)
        chunked = self.chunks > 1
        widths = [embedding + chunk_embedding * chunked, *[width] * depth, chunk]
        hidden = model.stacked_layers(list(itertools.pairwise(widths)), seeds)
        self.hnet = nn.Sequential(*model.with_activation(hidden[:-1], "sigmoid"), hidden[-1])
        self.readout = min(1.0, TUNED_WIDTH / widths[-2])  # 1 up to 32 wide: as before
        with torch.no_grad():
            hidden[-1].weight.div_(self.readout)
            hidden[-1].bias.div_(self.readout)
        streams = draws(seeds)
        with torch.device("cpu"):  # where the streams live; build() moves the model after
            tasks = [torch.randn(n_tasks, embedding, generator=g) for g in streams]
            chunks = [
                torch.randn(self.chunks, chunk_embedding * chunked, generator=g) for g in streams
            ]
            # nn.Linear(a, b) draws weights and biases from U(±1/sqrt(a)): std 1/sqrt(3a)
            scale = [
                torch.full((a * b + b,), (3 * a) ** -0.5) for a, b in itertools.pairwise(layers)
            ]
            scale = torch.cat(scale) if chunked else torch.ones(self.size)
        self.embeddings = nn.ParameterList(  # [S, 1, E] each, N(0, 1) from each seed's stream;
            nn.Parameter(torch.stack(tasks)[:, t : t + 1].clone())  # an unused one gets no
            for t in range(n_tasks)  # gradient, so no step
        )
        self.chunk_embeddings = nn.Parameter(torch.stack(chunks))  # [S, C, Ec]
        self.register_buffer("scale", scale)

    def outputs(self, task: int, frozen: bool = False) -> torch.Tensor:
        """What h emits for ``task``, ``[S, P]`` (the regulariser holds these, as hypercl's
        does); ``frozen``: its embedding held."""
        embedding = self.embeddings[task]
        if frozen:
            embedding = embedding.detach()
        inputs = torch.cat([embedding.expand(-1, self.chunks, -1), self.chunk_embeddings], -1)
        return (self.hnet(inputs) * self.readout).flatten(1)[:, : self.size]

    def weights(self, task: int) -> torch.Tensor:
        """The target network's weights for ``task``, ``[S, P]``."""
        return self.outputs(task) * self.scale

    def forward(self, x, task: int):
        parts = unflat(self.weights(task), self.shapes)
        return model.stacked_forward(
            x, list(zip(parts[::2], parts[1::2], strict=True)), self.activation
        )


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
            p["chunk"],
            p["chunk_embedding"],
        ).to(device)

    def before_task(self, model, data, k):
        with torch.no_grad():
            self.targets = [model.outputs(t) for t in range(k)]  # h* of the earlier tasks

    def penalty(self, model, x):
        if not self.targets:
            return None
        drift = sum(
            (model.outputs(t, frozen=True) - target).pow(2).sum()
            for t, target in enumerate(self.targets)
        )
        return output_cost(self.params["beta"], model.size) / len(self.targets) * drift


def output_cost(beta: float, generated: int) -> float:
    """The regulariser's strength: ``beta``, or with ``beta = 0`` ARTICLE_BETA scaled by
    ARTICLE_WEIGHTS / ``generated``, so that holding every old weight costs the same however
    many the target has (the sum over them grows with their count); exactly ARTICLE_BETA on
    the article's network."""
    return beta or ARTICLE_BETA * (ARTICLE_WEIGHTS / generated)
