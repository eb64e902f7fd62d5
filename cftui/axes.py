"""Ticks for a log axis drawn with plotext, which plots log10 of the values on a linear axis
(its own log scale rewrites the data in place): the loss chart and `cftui sweep show`."""

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
