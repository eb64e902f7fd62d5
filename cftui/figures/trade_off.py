"""`cftui sweep show --png OUT`: the stability-plasticity trade-off of a sweep as a figure,
the same chart `sweep show` draws in the terminal: a point per setting (its median over
seeds, with the range over seeds as error bars), a colour and marker per method, each point
named by its setting (the Pareto front's in bold), log-log with ticks at 1, 2 and 5 of each
decade, and the Pareto front through the settings no other beats on both axes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullFormatter

from cftui.figures import panels
from cftui.figures.static import DPI, save
from cftui.figures.style import OKABE_ITO, ink, rc, task_marker

SIZE = (1200, 800)  # pixels


def setting(point: Any) -> str:
    """A point's name on the chart: its settings (its colour says the method), or the
    method's name where it has none (naive)."""
    return point.label.removeprefix(point.method).strip() or point.method


def write(path: Path, title: str, memory: str, points: list[Any], style: str = "light") -> Path:
    return save(chart(title, memory, points, style), path)


def chart(title: str, memory: str, points: list[Any], style: str = "light") -> Figure:
    """``points``: cftui.sweep.show.Point (method, label, memory, plasticity, pareto); only
    those with both medians above 0 have a place on the chart."""
    drawn = [p for p in points if p.memory.median > 0 and p.plasticity.median > 0]
    colors = list(OKABE_ITO.values())
    with matplotlib.rc_context(rc(style)):
        fig = Figure(figsize=(SIZE[0] / DPI, SIZE[1] / DPI), dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        front = sorted((p for p in drawn if p.pareto), key=lambda p: p.plasticity.median)
        xs, ys = [p.plasticity.median for p in front], [p.memory.median for p in front]
        ax.plot(xs, ys, color=ink(style), alpha=0.5, lw=1.5, ls="--", label="Pareto front")
        for i, method in enumerate(dict.fromkeys(p.method for p in drawn)):
            mine = [p for p in drawn if p.method == method]
            x = [p.plasticity.median for p in mine]
            y = [p.memory.median for p in mine]
            errors = {
                "xerr": [
                    [p.plasticity.median - p.plasticity.low for p in mine],
                    [p.plasticity.high - p.plasticity.median for p in mine],
                ],
                "yerr": [
                    [p.memory.median - p.memory.low for p in mine],
                    [p.memory.high - p.memory.median for p in mine],
                ],
            }
            color = colors[i % len(colors)]
            ax.errorbar(x, y, **errors, fmt="none", ecolor=color, elinewidth=0.8, alpha=0.3)
            ax.scatter(x, y, s=50, marker=task_marker(i), color=color, label=method, zorder=3)
            for p in mine:  # which setting is which: every point named, the front's in bold
                ax.annotate(
                    setting(p),
                    (p.plasticity.median, p.memory.median),
                    fontsize="x-small",
                    fontweight="bold" if p.pareto else "normal",
                    color=color,
                    xytext=(6, 4),
                    textcoords="offset points",
                )
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):  # 0.01, 0.02, 0.05, 0.1: one style, no overlaps
            axis.set_major_locator(LogLocator(subs=(1, 2, 5)))
            axis.set_major_formatter(panels.PLAIN)
            axis.set_minor_formatter(NullFormatter())
        ax.set_title(f"{title}: memory against plasticity")
        ax.set_xlabel("plasticity: the last task's final test MSE (lower is better)")
        ax.set_ylabel(f"memory: {memory} (lower is better)")
        ax.legend(loc="best")
        left_out = len(points) - len(drawn)
        if left_out:
            ax.text(
                0.99,
                0.01,
                f"{left_out} setting(s) at or below 0 not drawn",
                transform=ax.transAxes,
                ha="right",
                fontsize="x-small",
            )
    return fig
