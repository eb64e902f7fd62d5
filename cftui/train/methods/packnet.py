"""PackNet (Mallya & Lazebnik, CVPR 2018): each task gets its own share of the body's
weights, and its own head and biases.

While task t trains, only the body weights no earlier task owns can change, with task t's own
output layer and biases. When it ends (unless it is the sequence's last), the
smallest-magnitude fraction ``prune`` of its body weights is released (set to zero, free for
later tasks), the rest are retrained alone for ``retrain_epochs`` full-batch steps and then
belong to task t for good; the last task keeps all it trained. Task t is answered by its head
and biases on the body weights of tasks <= t only, so its output never changes again. Each
task trains with a fresh optimizer (packnet.toml), as the paper trains one dataset after
another, each with its own classifier.

Two departures from a shared network, for what a regression needs (benchmarks/RESULTS.md,
"The zoo, a fourth look"). A head per task (the paper's, whose tasks are datasets): the frozen
weights of earlier tasks still answer on a new task's range, and a readout shared with them,
of which the new task owns 1/T, must cancel that answer to within the noise. Biases per task
(the paper fixes them after task 1, a negligible share of a convolutional network's weights):
in a 1-D regression's first layer a unit has one weight and one bias, so a fixed bias ties
where each unit bends to how steeply, and later tasks own slopes but no positions. Both are
small (a head of width + 1 numbers per output, a bias per hidden unit, per task), picked by
the task id PackNet is told anyway. Raising ``prune`` leaves more room for later tasks and
less for this one.
"""

import torch
from torch import nn

from cftui.train import model
from cftui.train.methods.base import Method
from cftui.train.methods.multihead import MultiHeadMLP

FREE = torch.iinfo(torch.int16).max  # the owner of a weight no task has kept


class PackedMLP(MultiHeadMLP):
    """The article's MLP with a head per task, whose every body weight has an owner (a task
    index, or FREE): task t is answered by head t on the body weights owned by tasks <= t,
    the others read as zero, with task t's biases: those kept when it ended, or for the task
    in training (and those after it) the live ones. Head 1 and the body are drawn as the
    plain MLP's."""

    def __init__(self, layers, activation, seeds, n_tasks: int) -> None:
        super().__init__(layers, activation, seeds, n_tasks)
        self.body = list(self.basis[::2])  # the hidden layers, without their activations
        self.activation = self.basis[1] if self.body else nn.Identity()
        for layer in self.body:
            layer.register_buffer("owner", torch.full_like(layer.weight, FREE, dtype=torch.int16))
            layer.register_buffer("kept_bias", layer.bias.detach().repeat(n_tasks, 1, 1, 1))
        self.training_task = 0  # tasks before it are answered with the biases they kept

    def get_extra_state(self) -> int:
        """Kept in the state dict beside the buffers: which tasks answer with kept biases."""
        return self.training_task

    def set_extra_state(self, state: int) -> None:
        self.training_task = state

    def forward(self, x, task: int):
        owned = [
            (
                m.weight * (m.owner <= task),
                m.kept_bias[task] if task < self.training_task else m.bias,
            )
            for m in self.body
        ]
        head = self.heads[task]
        return model.stacked_forward(x, [*owned, (head.weight, head.bias)], self.activation)


class PackNet(Method):
    name = "packnet"

    def build_model(self, config, n_tasks, device):
        return PackedMLP(config.layers, config.activation, self.seeds, n_tasks).to(device)

    def before_task(self, model, data, k):
        model.training_task = k  # the live biases go on from task k - 1's
        for layer in model.body:
            layer.owner[layer.owner == FREE] = k  # what is free now trains for task k
        self.kept = _weights(model)

    def after_step(self, model):
        """Adam's momentum moves a weight even with a zero gradient: put back every body
        weight this task does not own."""
        with torch.no_grad():
            for layer, kept in zip(model.body, self.kept, strict=True):
                own = layer.owner == model.training_task
                layer.weight.copy_(torch.where(own, layer.weight, kept))

    def after_task(self, model, data, k):
        """Prune and retrain to leave room for later tasks; the last task of the sequence
        keeps every weight it trained: no later task needs the room, and pruning it would
        only cost its fit."""
        if k < data.n_tasks - 1:
            self._prune(model, k, data.n_tasks)
            self._retrain(model, data, k)
        with torch.no_grad():
            for layer in model.body:
                layer.kept_bias[k] = layer.bias

    def _prune(self, model, k, n_tasks):
        """Per seed and layer, release the ``prune`` fraction of task k's body weights that
        are smallest in magnitude."""
        share = release_share(self.params["prune"], k, n_tasks)
        with torch.no_grad():
            for layer in model.body:
                mine = layer.owner == k
                size = layer.weight.abs().masked_fill(~mine, float("inf")).flatten(1)
                count = (mine.flatten(1).sum(1) * share).long()  # per seed
                order = size.argsort(1).argsort(1)  # each weight's rank by magnitude
                release = (order < count.unsqueeze(1)).view_as(mine) & mine
                layer.owner[release] = FREE
                layer.weight[release] = 0.0
        self.kept = _weights(model)

    def _retrain(self, model, data, k):
        """The kept weights, the task's biases and its head alone, full batch, with an Adam of
        their own."""
        x, y = data.train(k)
        body = [p for layer in model.body for p in (layer.weight, layer.bias)]
        trained = body + list(model.heads[k].parameters())
        optimizer = torch.optim.Adam(trained, lr=self.params["retrain_lr"])
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
    """A copy of every body layer's weights: what after_step puts back where the task may
    not train."""
    return [layer.weight.detach().clone() for layer in model.body]
