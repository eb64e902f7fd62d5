"""Choosing the torch device: --device auto | cpu | cuda | mps.

torch is imported inside :func:`resolve`, so the parser's CHOICES cost nothing at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cftui.train.config import ConfigError

if TYPE_CHECKING:
    import torch

CHOICES = ("auto", "cpu", "cuda", "mps")


def resolve(name: str) -> torch.device:
    """auto picks cuda, else mps, else cpu; an explicit device that is missing is an error."""
    import torch

    available = {
        "cuda": torch.cuda.is_available(),
        "mps": torch.backends.mps.is_available(),
        "cpu": True,
    }
    if name == "auto":
        return torch.device(next(d for d in ("cuda", "mps", "cpu") if available[d]))
    if name not in available:
        raise ConfigError(
            f"--device {name}", "", f"unknown device; choose from {', '.join(CHOICES)}"
        )
    if not available[name]:
        raise ConfigError(f"--device {name}", "", f"{name} is not available on this machine")
    return torch.device(name)
