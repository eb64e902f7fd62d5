"""Continual-learning metrics on a loss matrix (the loss versions of the accuracy metrics).

``L[i][j]`` is the test MSE on task j after training task i. Lower is better, so the
signs follow from replacing accuracy with -MSE (Lopez-Paz & Ranzato, 2017).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def forgetting(loss_matrix: Sequence[Sequence[float]]) -> list[float]:
    """For each task j but the last: how far its loss rose from its best, at the end.

    forgetting_j = L[T-1][j] - min over i in [j, T-2] of L[i][j]; >= 0 means forgotten.
    """
    L = np.asarray(loss_matrix, dtype=float)
    last = len(L) - 1
    return [float(L[last, j] - L[j:last, j].min()) for j in range(last)]


def backward_transfer(loss_matrix: Sequence[Sequence[float]]) -> float | None:
    """BWT = mean over j < T-1 of (L[j][j] - L[T-1][j]); negative means forgetting.

    None for a single task, where nothing comes after to interfere.
    """
    L = np.asarray(loss_matrix, dtype=float)
    last = len(L) - 1
    if last < 1:
        return None
    return float(np.mean([L[j, j] - L[last, j] for j in range(last)]))
