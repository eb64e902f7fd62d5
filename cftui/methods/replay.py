"""Experience replay (Rolnick et al. 2019) with a reservoir buffer.

After each task its training points stream through reservoir sampling, so the buffer is
always a uniform sample of every past point, at a fixed size. Each batch is the current
batch plus as many points drawn from the buffer (a 1:1 mix).
"""

import numpy as np
import torch

from cftui.methods.base import Method


class Reservoir:
    """Algorithm R: a uniform sample of fixed size from a stream of unknown length."""

    def __init__(self, size: int, rng: np.random.Generator) -> None:
        self.size, self.rng, self.seen = size, rng, 0
        self.items: list[int] = []  # stream positions kept

    def offer(self, count: int) -> None:
        """The next ``count`` items of the stream arrive."""
        for position in range(self.seen, self.seen + count):
            if len(self.items) < self.size:
                self.items.append(position)
            else:
                slot = self.rng.integers(0, position + 1)
                if slot < self.size:
                    self.items[slot] = position
        self.seen += count


class Replay(Method):
    name = "replay"

    def __init__(self, params, seed):
        super().__init__(params, seed)
        self.reservoir = Reservoir(self.params["buffer"], np.random.default_rng(seed))
        self.stream_x: list[torch.Tensor] = []
        self.stream_y: list[torch.Tensor] = []
        self.draw = torch.Generator().manual_seed(seed)

    def after_task(self, model, tasks, k):
        x, y = tasks[k].train_tensors(next(model.parameters()).device)
        order = torch.randperm(len(x), generator=self.draw, device="cpu").to(x.device)
        self.stream_x.append(x[order])
        self.stream_y.append(y[order])
        self.reservoir.offer(len(x))
        keep = torch.tensor(self.reservoir.items, device=x.device)
        self.buffer = (torch.cat(self.stream_x)[keep], torch.cat(self.stream_y)[keep])

    def batch(self, x, y):
        if not self.reservoir.items:
            return x, y
        bx, by = self.buffer
        pick = torch.randint(len(bx), (min(len(x), len(bx)),), generator=self.draw, device="cpu")
        pick = pick.to(bx.device)
        return torch.cat([x, bx[pick]]), torch.cat([y, by[pick]])
