"""The registry of continual-learning methods, by the name presets and --method use."""

from cftui.methods.base import Method
from cftui.methods.naive import Naive

REGISTRY: dict[str, type[Method]] = {cls.name: cls for cls in (Naive,)}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> type[Method]:
    return REGISTRY[name]
