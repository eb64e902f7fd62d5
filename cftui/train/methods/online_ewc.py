"""Online EWC (Schwarz et al. 2018): one running Fisher F <- gamma F + F_new, one anchor."""

from cftui.train.methods.ewc import fisher
from cftui.train.methods.quadratic import QuadraticPenalty, detached


class OnlineEWC(QuadraticPenalty):
    name = "online_ewc"
    scale_factor = 0.5

    def after_task(self, model, data, k):
        x, y = data.train(k)
        new = self.measured(fisher(self, model, x, y, k))
        if self.terms:
            old, _ = self.terms[0]
            new = [self.params["gamma"] * f_old + f for f_old, f in zip(old, new, strict=True)]
        self.terms = [(new, detached(model))]
