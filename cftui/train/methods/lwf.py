"""Learning without Forgetting (Li & Hoiem 2016), for regression.

Before a new task, a frozen copy of the model is kept; the loss becomes
MSE(task) + alpha * MSE(f_theta(x), f_old(x)) on the current task's inputs: distillation of
the old outputs, with no old data at all.
"""

import copy

import torch

from cftui.train.methods.base import Method
from cftui.train.per_seed import seed_losses


class LwF(Method):
    name = "lwf"

    def __init__(self, params, seeds):
        super().__init__(params, seeds)
        self.old = None

    def before_task(self, model, data, k):
        if k > 0:
            self.old = copy.deepcopy(model).requires_grad_(False)

    def penalty(self, model, x):
        if self.old is None:
            return None
        with torch.no_grad():
            target = self.old(x)
        return self.params["alpha"] * seed_losses(model(x), target).sum()
