"""SI (Zenke, Poole & Ganguli 2017): synaptic intelligence.

During a task each parameter accumulates omega += -g * delta_theta per step, with g the
gradient of the task loss alone (the penalty's own gradient, 2 c Omega (theta - theta*), is
taken back out). At the task's end Omega += omega / (Delta^2 + xi), with Delta the parameter's
total move over the task, kept >= 0; the penalty is c sum_i Omega_i (theta_i - theta*_i)^2.
"""

import torch

from cftui.train.methods.quadratic import QuadraticPenalty, detached


class SI(QuadraticPenalty):
    name = "si"
    scale_key = "c"

    def before_task(self, model, data, k):
        self.start = detached(model)
        self.omega = [torch.zeros_like(p) for p in self.start]

    def after_backward(self, model):
        self.before = detached(model)
        self.task_grads = [p.grad.detach().clone() for p in model.parameters()]
        for g, p, (importance, anchor) in zip(
            self.task_grads, model.parameters(), self._pairs(), strict=True
        ):
            if importance is not None:
                g -= 2.0 * self.scale * importance * (p.detach() - anchor)

    def after_step(self, model):
        for w, g, p, before in zip(
            self.omega, self.task_grads, model.parameters(), self.before, strict=True
        ):
            w -= g * (p.detach() - before)

    def after_task(self, model, data, k):
        end = detached(model)
        new = self.measured(
            [
                (w / ((e - s) ** 2 + self.params["xi"])).clamp(min=0.0)
                for w, e, s in zip(self.omega, end, self.start, strict=True)
            ]
        )
        if self.terms:
            new = [a + b for a, b in zip(self.terms[0][0], new, strict=True)]
        self.terms = [(new, end)]

    def _pairs(self):
        if not self.terms:
            return [(None, None)] * len(self.omega)
        importance, anchor = self.terms[0]
        return list(zip(importance, anchor, strict=True))
