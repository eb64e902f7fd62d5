"""Round ticks: for a log axis drawn with plotext, which plots log10 of the values on a
linear axis (its own log scale rewrites the data in place), in the loss chart and `cftui
sweep show`; for a linear axis that ends at its data (the loss chart's steps and linear
losses), and for a few labels inside a range (the fit panel's y)."""

from __future__ import annotations

import math


def log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Ticks between the log10 values ``low`` and ``high`` at 1, 2 and 5 times the powers of
    ten, labelled with the value itself: only the powers of ten when that makes more than
    seven, every whole multiple when it makes fewer than three."""
    for multiples in ((1, 2, 5), range(1, 10)):
        decades = range(math.floor(low), math.ceil(high) + 1)
        ticks = [(k + math.log10(m), m, m * 10.0**k) for k in decades for m in multiples]
        ticks = [tick for tick in ticks if low <= tick[0] <= high]
        if len(ticks) > 7:
            ticks = [tick for tick in ticks if tick[1] == 1]
        if len(ticks) >= 3:
            break
    return [at for at, _, _ in ticks], [f"{value:g}" for _, _, value in ticks]


def round_step(span: float, most: int) -> float:
    """The smallest of 1, 2 and 5 times a power of ten that cuts ``span`` (> 0) into at
    most ``most`` parts."""
    power = 10.0 ** math.floor(math.log10(span / most))
    return next(m * power for m in (1, 2, 5, 10) if span / (m * power) <= most * (1 + 1e-9))


def ticks_to(high: float, most: int = 5) -> list[float]:
    """Round ticks from 0 to the first one at or above ``high`` (> 0), at most ``most``
    steps: the axis ends at the data, not at the next 1-2-5 value (400 steps end at 400,
    where 500 left a fifth of the chart empty), and moves only when the data passes a tick."""
    step = round_step(high, most)
    parts = math.ceil(high / step - 1e-9)
    return [round(i * step, 12) for i in range(parts + 1)]


def ticks_within(low: float, high: float, most: int = 3) -> list[float]:
    """Round values inside [low, high], about ``most`` of them (one more at most)."""
    step = round_step(high - low, most)
    first = math.ceil(low / step - 1e-9)
    return [round(k * step, 12) for k in range(first, math.floor(high / step + 1e-9) + 1)]
