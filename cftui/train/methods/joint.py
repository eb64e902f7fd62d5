"""Joint training, the article's "combine data from all tasks together": task k trains on the
union of tasks 1..k. The upper bound on remembering, at the price of keeping all the data."""

import torch

from cftui.train.methods.base import Method


class Joint(Method):
    name = "joint"

    def training_set(self, data, k):
        parts = [data.train(j) for j in range(k + 1)]
        return torch.cat([x for x, _ in parts], 1), torch.cat([y for _, y in parts], 1)
