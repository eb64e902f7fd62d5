"""A-GEM (Chaudhry et al. 2019): averaged gradient episodic memory.

A few points of each past task are kept. Each step, the gradient g_ref of the loss on a
sample of that memory is computed; if the new gradient g points against it (g . g_ref < 0),
g is projected: g <- g - (g . g_ref / (g_ref . g_ref + eps)) g_ref, so the step does not
raise the memory's loss, to first order.
"""

import torch
import torch.nn.functional as F

from cftui.methods.base import Method

EPS = 1e-12


def project(g: torch.Tensor, g_ref: torch.Tensor) -> torch.Tensor:
    """The A-GEM projection of a flat gradient ``g`` against ``g_ref``."""
    dot = torch.dot(g, g_ref)
    if dot >= 0:
        return g
    return g - dot / (torch.dot(g_ref, g_ref) + EPS) * g_ref


class AGEM(Method):
    name = "agem"

    def __init__(self, params, seed):
        super().__init__(params, seed)
        self.memory_x: list[torch.Tensor] = []
        self.memory_y: list[torch.Tensor] = []
        self.draw = torch.Generator().manual_seed(seed)

    def after_task(self, model, tasks, k):
        x, y = tasks[k].train_tensors(next(model.parameters()).device)
        keep = torch.randperm(len(x), generator=self.draw, device="cpu")[
            : self.params["memory"]
        ].to(x.device)
        self.memory_x.append(x[keep])
        self.memory_y.append(y[keep])

    def after_backward(self, model):
        if not self.memory_x:
            return
        mx, my = torch.cat(self.memory_x), torch.cat(self.memory_y)
        if len(mx) > self.params["sample"]:
            pick = torch.randperm(len(mx), generator=self.draw, device="cpu")[
                : self.params["sample"]
            ]
            mx, my = mx[pick.to(mx.device)], my[pick.to(mx.device)]
        params = [p for p in model.parameters() if p.grad is not None]
        g_ref = torch.autograd.grad(F.mse_loss(model(mx), my), params)
        flat = project(
            torch.cat([p.grad.reshape(-1) for p in params]),
            torch.cat([g.reshape(-1) for g in g_ref]),
        )
        offset = 0
        for p in params:
            p.grad.copy_(flat[offset : offset + p.numel()].view_as(p))
            offset += p.numel()
