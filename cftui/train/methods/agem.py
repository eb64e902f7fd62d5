"""A-GEM (Chaudhry et al. 2019): averaged gradient episodic memory.

A few points of each past task are kept. Each step, the gradient g_ref of the loss on a
sample of that memory is computed; if the new gradient g points against it (g . g_ref < 0),
g is projected: g <- g - (g . g_ref / (g_ref . g_ref + eps)) g_ref, so the step does not
raise the memory's loss, to first order.
"""

import torch

from cftui.train.methods.base import Method
from cftui.train.per_seed import draws, flat, permutations, take, unflat

EPS = 1e-12


def project(g: torch.Tensor, g_ref: torch.Tensor) -> torch.Tensor:
    """The A-GEM projection of each seed's flat gradient, ``g`` and ``g_ref`` ``[S, P]``: a
    seed whose g . g_ref >= 0 keeps its gradient; the others lose the part along g_ref."""
    dot = (g * g_ref).sum(1, keepdim=True)
    along = torch.where(dot < 0, dot / ((g_ref * g_ref).sum(1, keepdim=True) + EPS), 0.0)
    return g - along * g_ref


class AGEM(Method):
    name = "agem"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.memory_x: list[torch.Tensor] = []  # per past task, [S, memory, F] and the
        # labels, [S, memory, 1]
        self.memory_y: list[torch.Tensor] = []
        self.draws = draws(self.seeds)

    def before_task(self, model, data, k):
        self.task = k  # the memories' loss is answered as this task's (the classes seen)

    def after_task(self, model, data, k):
        x, y = data.train(k)
        keep = permutations(self.draws, x.shape[1], x.device, keep=self.params["memory"])
        self.memory_x.append(take(x, keep))
        self.memory_y.append(take(y, keep))

    def after_backward(self, model):
        if not self.memory_x:
            return
        mx, my = torch.cat(self.memory_x, 1), torch.cat(self.memory_y, 1)
        size, sample = mx.shape[1], self.params["sample"]
        if size > sample:
            pick = permutations(self.draws, size, mx.device, keep=sample)
            mx, my = take(mx, pick), take(my, pick)
        params = [p for p in model.parameters() if p.grad is not None]
        memory_loss = self.objective.seed_losses(model(mx), my, self.task).sum()
        g_ref = torch.autograd.grad(memory_loss, params)
        projected = project(flat([p.grad for p in params]), flat(g_ref))
        for p, g in zip(params, unflat(projected, [p.shape[1:] for p in params]), strict=True):
            p.grad.copy_(g)
