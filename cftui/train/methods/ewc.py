"""EWC (Kirkpatrick et al. 2017): (lambda/2) sum_t sum_i F_t,i (theta_i - theta*_t,i)^2.

For regression the Fisher is the empirical one: the mean over the task's training points of
the squared per-sample gradients of the Gaussian NLL 1/2 (f(x) - y)^2. (The Fisher taken with
the model's own prediction as target is identically zero under MSE.)
"""

import torch
import torch.nn.functional as F

from cftui.train.methods.quadratic import QuadraticPenalty, detached
from cftui.train.per_seed import per_sample_gradients


def gaussian_nll(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return 0.5 * F.mse_loss(output, target, reduction="sum")


def empirical_fisher(model, x, y) -> list[torch.Tensor]:
    """Mean over samples of the squared gradient of 1/2 (f(x) - y)^2, per parameter."""
    return [g.pow(2).mean(0) for g in per_sample_gradients(model, gaussian_nll, x, y)]


class EWC(QuadraticPenalty):
    name = "ewc"
    scale_factor = 0.5

    def after_task(self, model, data, k):
        x, y = data.train(k)
        self.terms.append((empirical_fisher(model, x, y), detached(model)))
