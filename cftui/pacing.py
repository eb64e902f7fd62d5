"""How fast a watched run goes: a target rate in epochs per second, kept by sleeping.

The rate is measured from an origin (a time and a step) that moves whenever something
changes the schedule (a command, a new task, a resume), so a pause or a slow step is not
made up for by a burst of steps afterwards.
"""

from __future__ import annotations

import time


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
