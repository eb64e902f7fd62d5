"""DER++ (Buzzega, Boschini, Porrello, Abati & Calderara 2020, Dark Experience for General
Continual Learning): replay the outputs the network gave, as well as the labels.

Every batch that trains enters a reservoir with its labels and the network's outputs for it
at that step (its "dark knowledge": logits, or a regression's outputs). Each step adds two
terms on two independent draws from the buffer: alpha times the MSE between the outputs now
and those stored, and beta times the task loss on the stored labels. Built on the public
interface alone (base.Method, per_seed, the objective).

Where cftui differs from aimagelab/mammoth's derpp.py: the loss on the stored labels answers
the classes seen so far, as cftui's every loss does (mammoth's answers all of them); a seed's
draws come from its own stream; no data augmentation.
"""

import torch

from cftui.train import per_seed
from cftui.train.methods.base import StreamReplay


class DERpp(StreamReplay):
    name = "derpp"

    def penalty(self, model, x):
        with torch.no_grad():
            outputs = model(x)  # what the trainer's loss sees this step
        terms = self.replay(model) if self.buffer.filled and self.params["buffer"] else None
        self.buffer.offer(x, self.y, outputs)  # as mammoth: after the draws
        return terms

    def replay(self, model) -> torch.Tensor:
        """alpha * MSE(f(x'), z') + beta * loss(f(x''), y''), each seed's summed."""
        count = self.y.shape[1]
        x1, _, logits = self.buffer.draw(count)
        x2, y2, _ = self.buffer.draw(count)
        dark = per_seed.seed_losses(model(x1), logits).sum()
        labels = self.objective.seed_losses(model(x2), y2, self.task).sum()
        return self.params["alpha"] * dark + self.params["beta"] * labels
