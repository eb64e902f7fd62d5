"""PackNet (Mallya & Lazebnik, CVPR 2018): each task gets its own share of the weights.

While task t trains, only the weights no earlier task owns can change. When it ends (unless
it is the sequence's last), the smallest-magnitude fraction ``prune`` of them is released
(set to zero, free for later tasks), the rest are retrained alone for ``retrain_epochs``
full-batch steps and then belong to task t for good; the last task keeps all it trained.
Task t is answered with the weights of tasks <= t only, so its output never changes again.
Biases learn during task 1 and are then fixed, as in the paper. Raising ``prune`` leaves
more room for later tasks and less for this one.
"""

import torch

from cftui.train import model
from cftui.train.methods.base import Method

FREE = torch.iinfo(torch.int16).max  # the owner of a weight no task has kept


class PackedMLP(model.MLP):
    """The article's MLP whose every weight has an owner (a task index, or FREE): task t is
    answered with the weights owned by tasks <= t, the others read as zero."""

    def __init__(self, layers, activation, seeds) -> None:
        super().__init__(layers, activation, seeds)
        for layer in self.linears:
            layer.register_buffer("owner", torch.full_like(layer.weight, FREE, dtype=torch.int16))

    def forward(self, x, task: int):
        owned = [(m.weight * (m.owner <= task), m.bias) for m in self.linears]
        return model.stacked_forward(x, owned, self.activation)


class PackNet(Method):
    name = "packnet"

    def build_model(self, config, n_tasks, device):
        return PackedMLP(config.layers, config.activation, self.seeds).to(device)

    def before_task(self, model, data, k):
        self.task = k
        for layer in model.linears:
            layer.owner[layer.owner == FREE] = k  # what is free now trains for task k
            if k > 0:
                layer.bias.requires_grad_(False)
        self.kept = _weights(model)

    def after_step(self, model):
        """Adam's momentum moves a weight even with a zero gradient: put back every weight
        this task does not own."""
        with torch.no_grad():
            for layer, kept in zip(model.linears, self.kept, strict=True):
                layer.weight.copy_(torch.where(layer.owner == self.task, layer.weight, kept))

    def after_task(self, model, data, k):
        """Prune and retrain to leave room for later tasks; the last task of the sequence
        keeps every weight it trained: no later task needs the room, and pruning it would
        only cost its fit."""
        if k < data.n_tasks - 1:
            self._prune(model, k, data.n_tasks)
            self._retrain(model, data, k)

    def _prune(self, model, k, n_tasks):
        """Per seed and layer, release the ``prune`` fraction of task k's weights that are
        smallest in magnitude."""
        share = release_share(self.params["prune"], k, n_tasks)
        with torch.no_grad():
            for layer in model.linears:
                mine = layer.owner == k
                size = layer.weight.abs().masked_fill(~mine, float("inf")).flatten(1)
                count = (mine.flatten(1).sum(1) * share).long()  # per seed
                order = size.argsort(1).argsort(1)  # each weight's rank by magnitude
                release = (order < count.unsqueeze(1)).view_as(mine) & mine
                layer.owner[release] = FREE
                layer.weight[release] = 0.0
        self.kept = _weights(model)

    def _retrain(self, model, data, k):
        """The kept weights alone, full batch, with an Adam of their own."""
        x, y = data.train(k)
        weights = [layer.weight for layer in model.linears]
        optimizer = torch.optim.Adam(weights, lr=self.params["retrain_lr"])
        for _ in range(self.params["retrain_epochs"]):
            optimizer.zero_grad(set_to_none=True)
            self.objective.seed_losses(model(x, k), y, k).sum().backward()
            optimizer.step()
            self.after_step(model)


def release_share(prune: float, k: int, n_tasks: int) -> float:
    """The share of task k's weights (k from 0) to release: ``prune``, or with ``prune = 0``
    what leaves every task of the sequence an equal share of the weights (1 - 1 / the tasks
    from k on: with 3 tasks 2/3, then 1/2, so each keeps a third; with 2 tasks, 1/2)."""
    return prune or 1.0 - 1.0 / (n_tasks - k)


def _weights(model: PackedMLP) -> list[torch.Tensor]:
    """A copy of every layer's weights: what after_step puts back where the task may not
    train."""
    return [layer.weight.detach().clone() for layer in model.linears]
