"""Learning without Forgetting (Li & Hoiem 2016): distil the old model's outputs on the new
task's inputs, with no old data at all.

Before a new task, a frozen copy of the model is kept; the loss becomes
task loss + alpha * distillation(f_theta(x), f_old(x)) on the current task's inputs. For a
classification the distillation is the paper's: the KL between the old and new softmax at
temperature T, over the classes the old model answered with (objective.py); for a
regression, the MSE between the outputs (temperature does not apply).
"""

import copy

from cftui.train.methods.base import Method


class LwF(Method):
    name = "lwf"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.old = None

    def before_task(self, model, data, k):
        self.task = k
        if k > 0:
            self.old = copy.deepcopy(model).requires_grad_(False)

    def penalty(self, model, x):
        if self.old is None:
            return None
        target = self.old(x)  # no graph: its weights are frozen and x needs none
        distilled = self.objective.distillation(
            model(x), target, self.task, self.params["temperature"]
        )
        return self.params["alpha"] * distilled
