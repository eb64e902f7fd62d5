"""The registry of continual-learning methods, by the name presets and --method use.

Adding a method: one file with a Method subclass, and one entry in METHODS.
"""

from cftui.methods.agem import AGEM
from cftui.methods.base import Method
from cftui.methods.ewc import EWC
from cftui.methods.joint import Joint
from cftui.methods.l2 import L2
from cftui.methods.lwf import LwF
from cftui.methods.mas import MAS
from cftui.methods.naive import Naive
from cftui.methods.online_ewc import OnlineEWC
from cftui.methods.replay import Replay
from cftui.methods.si import SI

METHODS: tuple[type[Method], ...] = (Naive, Joint, Replay, EWC, OnlineEWC, SI, MAS, L2, LwF, AGEM)
REGISTRY: dict[str, type[Method]] = {cls.name: cls for cls in METHODS}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> type[Method]:
    return REGISTRY[name]
