"""How fast a watched run goes: a target rate in epochs per second, kept by sleeping.

The rate is measured from an origin (a time and a step) that moves whenever something
changes the schedule (a command, a new task, a resume), so a pause or a slow step is not
made up for by a burst of steps afterwards.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cftui.train.config import Config

SECONDS_PER_TASK = 10.0  # the default pace: one task in about this long, to watch it happen
PACE_RANGE = (0.01, 10_000.0)  # epochs per second that +/- stay within (f: full pace)


def default_pace(config: Config) -> float:
    """Epochs per second that train one task in about SECONDS_PER_TASK: to watch it."""
    return bounded_pace(config.train.epochs / SECONDS_PER_TASK)


def bounded_pace(pace: float) -> float:
    """``pace`` kept within PACE_RANGE, whatever +/- asked."""
    return min(max(pace, PACE_RANGE[0]), PACE_RANGE[1])


class Pace:
    def __init__(self, epochs_per_second: float | None) -> None:
        self.rate = epochs_per_second  # None: as fast as the machine goes
        self.restart(0)

    def restart(self, step: int) -> None:
        """Count from ``step``, now."""
        self._origin = (time.perf_counter(), step)

    def due(self, step: int, steps_per_epoch: int) -> float:
        """When ``step`` should be reached (a perf_counter time); now, at full pace."""
        origin_time, origin_step = self._origin
        if self.rate is None:
            return origin_time
        return origin_time + (step - origin_step) / (self.rate * steps_per_epoch)
