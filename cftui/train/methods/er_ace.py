"""ER-ACE (Caccia, Aljundi, Asadi, Tuytelaars, Pineau & Belilovsky 2022, New Insights on
Reducing Abrupt Representation Change in Online Continual Learning): experience replay
with an asymmetric cross-entropy.

The incoming batch's loss answers only the classes of the current task, so learning them
does not push the old classes' logits down; the replayed points' loss answers every class
seen, so old and new are still told apart. The buffer is a reservoir of every batch
trained. For a regression, or where a task holds every class (the domain scenario), there is
no asymmetry to make: it is experience replay. Built on the public interface alone.

The trainer's loss on the batch answers every class seen; the penalty replaces it with the
asymmetric one (adds the difference: the same gradient, one more forward pass). Where cftui
differs from aimagelab/mammoth's er_ace.py: the masked classes are the task's own (mammoth
keeps the batch's labels' and, on its datasets, every class not seen yet: cftui never
answers those); replay starts at the second task as there; no augmentation.
"""

import torch

from cftui.train.methods.base import StreamReplay
from cftui.train.objective import MASKED, Classification


class ERACE(StreamReplay):
    name = "er_ace"

    def penalty(self, model, x):
        terms = []
        if self.task > 0 and isinstance(self.objective, Classification):
            terms.append(self.asymmetry(model(x), self.y))
        if self.task > 0 and self.buffer.filled and self.params["buffer"]:
            bx, by = self.buffer.draw(self.y.shape[1])
            terms.append(self.objective.seed_losses(model(bx), by, self.task).sum())
        self.buffer.offer(x, self.y)
        return torch.stack(terms).sum() if terms else None

    def asymmetry(self, logits, y) -> torch.Tensor:
        """Each seed's loss over the task's own classes less the one over every class seen
        (the trainer's), summed over seeds."""
        own = torch.zeros(logits.shape[-1], dtype=torch.bool, device=logits.device)
        own[list(self.objective.blocks[self.task])] = True
        mine = self.objective.seed_losses(logits.masked_fill(~own, MASKED), y, self.task)
        return (mine - self.objective.seed_losses(logits, y, self.task)).sum()
