"""iCaRL (Rebuffi, Kolesnikov, Sperl & Lampert 2017, iCaRL: Incremental Classifier and
Representation Learning): herded exemplars, a nearest-mean-of-exemplars classifier, and
distillation. Built on the public interface alone (base.Method, per_seed, the objective).

- Exemplars: after each task, per class, the points whose running mean of normalised
  features comes closest to the class's mean (herding), ``buffer / classes seen`` of them;
  older classes keep their first ones (herding ranks them).
- Training: on the task's points and every exemplar, a binary cross-entropy per seen class:
  the new classes' targets are the labels, the old classes' the old network's sigmoid
  (distillation). It replaces the trainer's cross-entropy (the penalty adds the difference).
- Classifying: outside a training step the network answers each class with
  -||phi(x) - mu_c||^2, phi the normalised last hidden features and mu_c the normalised mean
  of the class's exemplars (during a task, its new classes' own points), with the network as
  it stands; while a step trains, the network's logits.

Where cftui differs from the paper and aimagelab/mammoth's icarl.py: an MLP and no image
flips; the class means are those of the current network, refreshed whenever it is measured
(live, during a task); means of normalised features (the paper's; mammoth's are raw).
A classifier over classes: a regression preset is refused (its TOML's ``only_in``).
"""

import copy

import torch
import torch.nn.functional as F
from torch import nn

from cftui.train import per_seed
from cftui.train.methods.base import Method
from cftui.train.objective import MASKED


class NearestMean(nn.Module):
    """The MLP iCaRL trains, answering by the nearest mean of exemplars when not training."""

    def __init__(self, net: nn.Module, n_classes: int) -> None:
        super().__init__()
        self.net, self.n_classes = net, n_classes
        self.memory: tuple[torch.Tensor, torch.Tensor] | None = None  # [S, M, F], [S, M, 1]
        self.means: torch.Tensor | None = None  # [S, C, H], stale when None
        self.known: torch.Tensor | None = None  # [S, C]: the classes with a mean

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.net.basis(x), dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training or self.memory is None:
            return self.net(x)
        if self.means is None:
            self.means, self.known = class_means(
                self.features(self.memory[0]), *self.memory[1:], self.n_classes
            )
        similarity = torch.bmm(self.features(x), self.means.transpose(1, 2))
        return (2 * similarity - 2).masked_fill(~self.known.unsqueeze(1), MASKED)  # -||a - b||²


def class_means(features, y, n_classes) -> tuple[torch.Tensor, torch.Tensor]:
    """Per seed, each class's normalised mean of ``features`` ``[S, M, H]`` (labels ``y``
    ``[S, M, 1]``): ``[S, C, H]``, and which classes have any point ``[S, C]``."""
    onehot = F.one_hot(y.squeeze(-1), n_classes).to(features.dtype)  # [S, M, C]
    sums = torch.bmm(onehot.transpose(1, 2), features)
    return F.normalize(sums, dim=-1), onehot.sum(1) > 0


def herding(features: torch.Tensor, count: int) -> torch.Tensor:
    """Per seed, the indices of ``count`` of the points ``[S, N, H]`` in herding order: each
    next one brings the running mean closest to the mean of all of them."""
    mean, chosen = features.mean(1, keepdim=True), []
    total = torch.zeros_like(mean)
    taken = torch.zeros(features.shape[:2], dtype=torch.bool, device=features.device)
    for i in range(min(count, features.shape[1])):
        cost = (mean - (total + features) / (i + 1)).norm(dim=-1).masked_fill(taken, torch.inf)
        pick = cost.argmin(1)  # [S]
        chosen.append(pick)
        taken[torch.arange(len(pick)), pick] = True
        total = total + per_seed.take(features, pick[:, None])
    return torch.stack(chosen, 1)


class ICaRL(Method):
    name = "icarl"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.exemplars: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}  # class -> x, y
        self.old = None

    def build_model(self, config, n_tasks, device):
        net = NearestMean(super().build_model(config, n_tasks, device), config.layers[-1])
        return net.eval()  # a measurement before the first step classifies too

    def stored(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        return list(self.exemplars.values())

    def before_task(self, model, data, k):
        self.task, self.model = k, model
        if k > 0:
            self.old = copy.deepcopy(model.net).requires_grad_(False)
        x, y = data.train(k)
        model.memory = cat([*self.stored(), (x, y)])  # the new classes' means: their points
        model.means = None

    def training_set(self, data, k):
        return cat([data.train(k), *self.stored()])

    def batch(self, x, y):
        self.model.train()
        self.y = y
        return x, y

    def penalty(self, model, x):
        logits = model(x)
        seen = self.objective.answering[self.task]
        old = min(self.objective.blocks[self.task]) if self.task else 0
        targets = F.one_hot(self.y.squeeze(-1), logits.shape[-1])[..., :seen].to(logits.dtype)
        if self.old is not None:
            targets[..., :old] = torch.sigmoid(self.old(x)[..., :old])
        bce = F.binary_cross_entropy_with_logits(logits[..., :seen], targets, reduction="none")
        trainer = self.objective.seed_losses(logits, self.y, self.task)  # replaced, not added
        return (bce.flatten(1).mean(1) - trainer).sum()

    def after_step(self, model):
        model.eval()
        model.means = None

    def after_task(self, model, data, k):
        x, y = data.train(k)
        classes = [c for block in self.objective.blocks[: k + 1] for c in block]
        each = self.params["buffer"] // len(classes)
        self.exemplars = {c: (ex[:, :each], ey[:, :each]) for c, (ex, ey) in self.exemplars.items()}
        with torch.no_grad():
            for c in self.objective.blocks[k]:
                mine = int((y.squeeze(-1) == c).sum(1).min())  # every seed's as many
                order = (y.squeeze(-1) != c).to(torch.int8).argsort(dim=1, stable=True)[:, :mine]
                cx, cy = per_seed.take(x, order), per_seed.take(y, order)
                pick = herding(model.features(cx), each)
                self.exemplars[c] = (per_seed.take(cx, pick), per_seed.take(cy, pick))
        model.memory, model.means = cat(self.stored()), None
        model.eval()


def cat(parts):
    """(x, y) pairs joined along the points."""
    return torch.cat([x for x, _ in parts], 1), torch.cat([y for _, y in parts], 1)
