"""Multi-head: one shared basis, one regressor head per task; each task is answered by its
own head. The classic baseline of the task-incremental scenario: the task id is given, so a
new task's readout never overwrites an old one's, and only the shared basis can drift.

With ``freeze_basis`` the basis stops learning after task 1: nothing old can be forgotten,
and later tasks must make do with the features task 1 learned.
"""

import itertools

from torch import nn

from cftui.train import model
from cftui.train.methods.base import Method


class MultiHeadMLP(nn.Module):
    """The article's MLP with ``n_tasks`` heads. Seed s's layers are drawn as nn.Linear
    would be after ``torch.manual_seed(s)``, the extra heads last: head 1 and the basis are
    exactly the plain MLP's, so task 1 trains as naive does."""

    def __init__(self, layers, activation, seeds, n_tasks: int) -> None:
        super().__init__()
        shapes = list(itertools.pairwise(layers))
        drawn = model.stacked_layers(shapes + shapes[-1:] * (n_tasks - 1), seeds)
        self.basis = model.with_activation(drawn[: len(shapes) - 1], activation)
        self.heads = nn.ModuleList(drawn[len(shapes) - 1 :])

    def forward(self, x, task: int):
        return self.heads[task](self.basis(x))


class MultiHead(Method):
    name = "multihead"

    def build_model(self, config, n_tasks, device):
        return MultiHeadMLP(config.layers, config.activation, self.seeds, n_tasks).to(device)

    def after_task(self, model, data, k):
        if k == 0 and self.params["freeze_basis"]:
            model.basis.requires_grad_(False)  # no gradient, so the optimizer leaves it
