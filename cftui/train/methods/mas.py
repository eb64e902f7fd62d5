"""MAS (Aljundi et al. 2018): importance = mean over the task's inputs of |d ||f(x)||^2 / d theta|.

Unsupervised: it asks how sensitive the output is to each weight, not the loss (for a
classification, the squared L2 norm of the logits the task answers with, as the paper's code
takes the network's output before the softmax). Importances add up over tasks; the anchor is
the weights after the latest task.
"""

from cftui.train.methods.quadratic import QuadraticPenalty, detached
from cftui.train.per_seed import per_sample_gradients


class MAS(QuadraticPenalty):
    name = "mas"

    def after_task(self, model, data, k):
        x, y = data.train(k)
        grads = per_sample_gradients(
            model, lambda out, target: self.objective.sensitivity(out, target, k), x, y
        )
        importance = self.measured([g.abs().mean(0) for g in grads])
        if self.terms:
            old, _ = self.terms[0]
            importance = [a + b for a, b in zip(old, importance, strict=True)]
        self.terms = [(importance, detached(model))]
