"""What a run minimises, and the likelihood its methods reason with: one object per kind of
problem (problem.py picks it).

The trainer asks it for the batch loss; a method asks it for what its paper defines on the
model's likelihood: each seed's loss (A-GEM, PackNet), a sample's negative log-likelihood and
the targets its Fisher averages over (EWC), the outputs whose size MAS weighs, the
distillation of old outputs (LwF). So a method is written once and is right for a regression
(a Gaussian likelihood: MSE) and a classification (a softmax: cross-entropy) alike.

Every output is ``[S, N, F]`` (S seeds, N points) and every target ``[S, N, 1]``: a float y,
or a class index. ``task`` is the task in training (for a test, the one the model stands at).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cftui.train import per_seed, planar
from cftui.train.config import DataConfig

MASKED = -1e9  # the logit of a class the model may not answer now: its probability is 0.0
# exactly, and every log or gradient through it stays finite (an -inf would give 0 * inf)

FisherTargets = list[tuple[torch.Tensor | None, torch.Tensor]]  # (weight [S, N], target)


class Regression:
    """The article's problem: one float output, a Gaussian likelihood of unit variance."""

    def loss(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        """The mean loss over every seed's points (the trainer scales it to their sum)."""
        return F.mse_loss(output, y)

    def seed_losses(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        return per_seed.seed_losses(output, y)

    def sample_nll(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        """-log p(y | x) summed over the points, up to a constant: 1/2 (f(x) - y)^2."""
        return 0.5 * F.mse_loss(output, y, reduction="sum")

    def fisher_targets(
        self, output: torch.Tensor, y: torch.Tensor, task: int, empirical: bool
    ) -> FisherTargets:
        """The empirical Fisher, always: the expected one of a unit Gaussian is the squared
        output gradient alone, blind to how well a point is fitted (ewc.py)."""
        return [(None, y)]

    def sensitivity(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        """MAS's squared L2 norm of the outputs, summed over the points."""
        return output.pow(2).sum()

    def distillation(
        self, new: torch.Tensor, old: torch.Tensor, task: int, temperature: float
    ) -> torch.Tensor:
        """Each seed's MSE to the old model's outputs, summed over seeds."""
        return per_seed.seed_losses(new, old).sum()


class Classification:
    """Logits ``[S, N, C]``, a softmax likelihood, and the scenario's rule for which classes
    may answer a point (van de Ven's "active classes"): in the class scenario every class
    seen so far; in the task scenario the classes of the point's own task (a head per task,
    as output units of one layer); in the domain scenario all of them. A class no task has
    shown yet is never predicted: it has had no point to learn from. (A test of a task not
    yet trained counts its own classes as seen, so its loss stays finite: the untrained
    model's, as a regression's future tasks show.)"""

    def __init__(self, data: DataConfig) -> None:
        self.blocks = planar.task_classes(data)
        n_tasks, n_classes = len(self.blocks), data.n_classes
        self.task_of_class = torch.zeros(n_classes, dtype=torch.long)
        for j, classes in enumerate(self.blocks if data.scenario != "domain" else []):
            self.task_of_class[list(classes)] = j
        # allowed[now, j, c]: at task `now`, class c may answer a point of task j
        self.allowed = torch.zeros(n_tasks, n_tasks, n_classes, dtype=torch.bool)
        for now in range(n_tasks):
            for j, own in enumerate(self.blocks):
                seen = [c for block in self.blocks[: max(now, j) + 1] for c in block]
                chosen = {"class": seen, "task": own}.get(data.scenario, range(n_classes))
                self.allowed[now, j, list(chosen)] = True
        self.scenario = data.scenario
        self.answering = [int(self.allowed[k, k].sum()) for k in range(n_tasks)]  # at task
        # k (class, domain): the first this many classes answer every point it trains on

    def mask(self, y: torch.Tensor, task: int) -> torch.Tensor:
        """``[S, N, C]``: which classes may answer each point of labels ``y``, at ``task``."""
        return self.task_mask(self.task_of_class.to(y.device)[y.squeeze(-1)], task)

    def task_mask(self, tasks: torch.Tensor, now: int) -> torch.Tensor:
        """Which classes may answer points of the given tasks (any shape), at task ``now``."""
        return self.allowed.to(tasks.device)[now][tasks]

    def unlabelled_mask(self, tasks: torch.Tensor, now: int) -> torch.Tensor:
        """Which classes may answer a point with no label (a cell of the plane) near each of
        the given tasks, at task ``now``: the model as it stands, so in the class scenario
        every class seen so far, whichever task the point is near (no later one's)."""
        return self.task_mask(tasks.clamp(max=now) if self.scenario == "class" else tasks, now)

    def masked(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        return output.masked_fill(~self.mask(y, task), MASKED)

    def point_losses(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        """Each point's cross-entropy among the classes that may answer it, ``[S, N]``. Like
        ``loss``, ``seed_losses`` and ``sample_nll``, for points of tasks up to ``task`` (what
        trains, a buffer, a memory); a test of later tasks masks (``masked``)."""
        logits = self._answering(output, y, task)
        return F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none").view(
            y.shape[:2]
        )

    def loss(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        return F.cross_entropy(self._answering(output, y, task).flatten(0, 1), y.flatten())

    def _answering(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        """The logits that may answer points of tasks up to ``task`` (training's, a
        buffer's): in the class and domain scenarios those share their classes, the first
        ones (a slice, cheaper than a mask on every step); in the task scenario each point
        has its own task's (a mask)."""
        if self.scenario == "task":
            return self.masked(output, y, task)
        return output[..., : self.answering[task]]

    def seed_losses(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        return self.point_losses(output, y, task).mean(1)

    def sample_nll(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        return self.point_losses(output, y, task).sum()

    def fisher_targets(
        self, output: torch.Tensor, y: torch.Tensor, task: int, empirical: bool
    ) -> FisherTargets:
        """The labels a Fisher averages the squared NLL gradients over: the true ones
        (empirical), or every class the point may take, each weighted by the model's own
        probability of it: E_{c ~ p(c|x)} [(d log p(c|x) / d theta)^2], the Fisher itself."""
        if empirical:
            return [(None, y)]
        probabilities = self.masked(output, y, task).softmax(-1).detach()
        return [
            (probabilities[..., c], torch.full_like(y, c))
            for c in range(output.shape[-1])
            if bool((probabilities[..., c] > 0).any())
        ]

    def sensitivity(self, output: torch.Tensor, y: torch.Tensor, task: int) -> torch.Tensor:
        """The squared L2 norm of the logits that may answer each point, summed."""
        return output.masked_fill(~self.mask(y, task), 0.0).pow(2).sum()

    def distillation(
        self, new: torch.Tensor, old: torch.Tensor, task: int, temperature: float
    ) -> torch.Tensor:
        """Li & Hoiem's knowledge distillation: KL(softmax(old / T) || softmax(new / T)) (their
        cross-entropy of the softened outputs, less its constant) over the classes the old
        model answered with, per point; the mean over points, summed over seeds. Summed over
        the old tasks, as van de Ven's code weighs it: in the task scenario a term per earlier
        task's head; in the domain scenario the one term (every task has every class) counts
        once per old task. In the class scenario the one term over every class seen is Li &
        Hoiem's old head, weight 1. No T^2 (Hinton et al.'s, which van de Ven's 2019 code
        added, makes the pull 4x at T = 2)."""
        windows = self._old_windows(task).to(new.device)
        terms = []
        for window in windows:
            log_new = (new.masked_fill(~window, MASKED) / temperature).log_softmax(-1)
            log_old = (old.masked_fill(~window, MASKED) / temperature).log_softmax(-1)
            kl = (log_old.exp() * (log_old - log_new)).sum(-1)  # [S, N]
            terms.append(kl.mean(1).sum())
        return torch.stack(terms).sum() * (task if self.scenario == "domain" else 1)

    def _old_windows(self, task: int) -> torch.Tensor:
        """``[W, C]``: the sets of classes the model answered with before ``task``."""
        if self.scenario == "task":
            return self.allowed[task - 1, :task].clone()  # each earlier task's own classes
        return self.allowed[task - 1, :1].clone()  # one set: every class seen (or all)
