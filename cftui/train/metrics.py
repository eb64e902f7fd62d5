"""Continual-learning metrics on a loss matrix, and on an accuracy matrix.

``L[i][j]`` is the test loss on task j after training task i. Lower is better, so the
signs follow from replacing accuracy with -loss (Lopez-Paz & Ranzato, 2017); the accuracy
versions (Chaudhry et al. 2018's forgetting, Lopez-Paz & Ranzato's BWT) are these on -A.
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


def accuracy_forgetting(accuracy_matrix: Sequence[Sequence[float]]) -> list[float]:
    """For each task j but the last: its best accuracy before the end minus its accuracy at
    the end, max over i in [j, T-2] of A[i][j] - A[T-1][j]; > 0 means forgotten."""
    return forgetting(-np.asarray(accuracy_matrix, dtype=float))


def accuracy_bwt(accuracy_matrix: Sequence[Sequence[float]]) -> float | None:
    """BWT = mean over j < T-1 of (A[T-1][j] - A[j][j]); negative means forgetting."""
    return backward_transfer(-np.asarray(accuracy_matrix, dtype=float))
