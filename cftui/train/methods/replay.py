"""Experience replay (Rolnick et al. 2019) with a reservoir buffer.

After each task its training points stream through reservoir sampling, so the buffer is
always a uniform sample of every past point, at a fixed size. Each batch is the current
batch plus as many points drawn from the buffer (a 1:1 mix).
"""

import numpy as np
import torch

from cftui.train.methods.base import Method
from cftui.train.per_seed import draws, each_stream, permutations, take


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reservoirs = [
            Reservoir(self.params["buffer"], np.random.default_rng(seed)) for seed in self.seeds
        ]
        self.stream_x: list[torch.Tensor] = []  # each past task's points [S, N, F] and
        self.stream_y: list[torch.Tensor] = []  # labels [S, N, 1], in each seed's order
        self.draws = draws(self.seeds)

    def after_task(self, model, data, k):
        x, y = data.train(k)
        order = permutations(self.draws, x.shape[1], x.device)
        self.stream_x.append(take(x, order))
        self.stream_y.append(take(y, order))
        for reservoir in self.reservoirs:
            reservoir.offer(x.shape[1])  # every seed sees as many points: buffers stack
        keep = torch.tensor([r.items for r in self.reservoirs], device=x.device)
        self.buffer = (
            take(torch.cat(self.stream_x, 1), keep),
            take(torch.cat(self.stream_y, 1), keep),
        )

    def batch(self, x, y):
        if not self.stream_x or not self.params["buffer"]:
            return x, y
        bx, by = self.buffer
        size = bx.shape[1]
        pick = each_stream(
            lambda g: torch.randint(size, (min(x.shape[1], size),), generator=g),
            self.draws,
            x.device,
        )
        return torch.cat([x, take(bx, pick)], 1), torch.cat([y, take(by, pick)], 1)
