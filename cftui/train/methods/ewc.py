"""EWC (Kirkpatrick et al. 2017): (lambda/2) sum_t sum_i F_t,i (theta_i - theta*_t,i)^2.

F is the diagonal Fisher of the model's likelihood at the end of task t, the mean over its
training points of squared per-sample gradients of -log p. Which labels those gradients
are taken at is the objective's (objective.py):
- a classification's default is the Fisher itself, the expectation over the model's own
  predictive distribution, sum_c p(c|x) (d log p(c|x) / d theta)^2: what the Laplace
  approximation EWC rests on calls for, and van de Ven's continual-learning code's default
  ("all" labels). ``empirical_fisher = true`` takes the true labels instead (cheaper, and
  near zero on points the model already fits);
- a regression's is the empirical Fisher of the Gaussian NLL 1/2 (f(x) - y)^2 (the Fisher
  taken with the model's own prediction as target is identically zero under MSE).
"""

import torch

from cftui.train.methods.quadratic import QuadraticPenalty, detached
from cftui.train.per_seed import per_sample_gradients


def fisher(method, model, x, y, k) -> list[torch.Tensor]:
    """The diagonal Fisher of ``method``'s objective on points (x, y) of task k: over the
    points, the mean of each target's squared NLL gradient, weighted by its probability."""
    objective, empirical = method.objective, method.params["empirical_fisher"]
    with torch.no_grad():
        output = model(x)
    total = [torch.zeros_like(p) for p in model.parameters()]
    for weight, target in objective.fisher_targets(output, y, k, empirical):
        grads = per_sample_gradients(
            model, lambda out, t: objective.sample_nll(out, t, k), x, target
        )
        for tensor, g in zip(total, grads, strict=True):  # g: [N, S, *shape]
            squared = g.pow(2) if weight is None else _per_sample(weight, g) * g.pow(2)
            tensor += squared.mean(0)
    return total


def _per_sample(weight: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """A ``[S, N]`` weight laid against per-sample gradients ``[N, S, *shape]``."""
    return weight.T.reshape(*weight.T.shape, *[1] * (g.dim() - 2))


class EWC(QuadraticPenalty):
    name = "ewc"
    scale_factor = 0.5

    def after_task(self, model, data, k):
        x, y = data.train(k)
        self.terms.append((self.measured(fisher(self, model, x, y, k)), detached(model)))
