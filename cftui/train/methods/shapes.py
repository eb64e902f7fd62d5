"""The hooks of a method from outside, with what they return checked.

A built-in method is tested; a user's file is being written. A hook that returns the wrong
shape would otherwise fail far from its cause (a broadcast in the loss, a silent mix of
seeds), so each result is checked where it is returned and a MethodShapeError names the
file, the hook's line and the shapes: ``mine.py:23 batch: x is [40, 1], expected [S, N, F]
= [3, N, 1]``. The checks read shapes only: their cost is a few attribute reads a step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:
    from cftui.train.methods.base import Method


class MethodShapeError(ValueError):
    """A hook of a method from outside returned something of the wrong kind or shape."""


def checked(cls: type[Method], name: str, path: Path | str) -> type[Method]:
    """A subclass of ``cls`` registered as ``name`` whose hooks' results are checked."""

    def line(hook: str) -> str:
        code = getattr(cls, hook).__code__
        return f"{code.co_filename}:{code.co_firstlineno} {hook}"

    class Checked(cls):  # type: ignore[misc, valid-type]
        def build_model(self, config, n_tasks, device):
            net = super().build_model(config, n_tasks, device)
            if not isinstance(net, nn.Module):
                raise MethodShapeError(
                    f"{line('build_model')}: returned {_kind(net)}, not a module"
                )
            return net

        def training_set(self, data, k):
            given = data.train(k)
            return _pair(
                super().training_set(data, k), given, len(self.seeds), line("training_set")
            )

        def batch(self, x, y):
            return _pair(super().batch(x, y), (x, y), len(self.seeds), line("batch"))

        def penalty(self, model, x):
            value = super().penalty(model, x)
            if value is not None and not (isinstance(value, torch.Tensor) and value.dim() == 0):
                shape = list(value.shape) if isinstance(value, torch.Tensor) else _kind(value)
                raise MethodShapeError(
                    f"{line('penalty')}: returned {shape}; expected None or one number (a 0-d "
                    "tensor: the sum of each seed's penalty)"
                )
            return value

    Checked.__name__ = Checked.__qualname__ = cls.__name__
    Checked.__doc__ = cls.__doc__
    Checked.name = name
    return Checked


def _pair(result, given, seeds: int, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``result`` is (x [S, N, F], y [S, N, ...]) with the seeds, features and label shape of
    ``given``; N may differ (a batch with replayed points is longer)."""
    if not (isinstance(result, tuple) and len(result) == 2):
        raise MethodShapeError(f"{where}: returned {_kind(result)}; expected a pair (x, y)")
    (x, y), (gx, gy) = result, given
    for label, value in (("x", x), ("y", y)):
        if not isinstance(value, torch.Tensor):
            raise MethodShapeError(f"{where}: {label} is {_kind(value)}, not a tensor")
    expected = f"x [S, N, F] = [{seeds}, N, {gx.shape[-1]}] and y [{seeds}, N, {gy.shape[-1]}]"
    fits = (
        x.dim() == 3
        and x.shape[0] == seeds
        and x.shape[2:] == gx.shape[2:]
        and y.shape[:2] == x.shape[:2]
        and y.shape[2:] == gy.shape[2:]
    )
    if not fits:
        raise MethodShapeError(
            f"{where}: returned x {list(x.shape)} and y {list(y.shape)}; expected {expected}"
        )
    return x, y


def _kind(value: object) -> str:
    return type(value).__name__
