"""`cftui sweep show`: the stability-plasticity trade-off of every setting a sweep ran.

Per preset, one terminal scatter, log-log: memory (task 1's final test MSE, or the mean
forgetting) against plasticity (the last task's final test MSE), a point per setting (its
median over seeds), a series per method, and the Pareto front drawn through the settings
no other beats on both. Then a table per method. The medians, ranges and wins over naive
come from cftui.results.summary.summarize, as in `cftui compare`: each setting is one "method"
there, and naive on the same seed (same data, same weights) is the reference.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cftui.draw.axes import log_ticks
from cftui.results.atomic import check_writable, write_atomic
from cftui.results.summary import Outcome, Stats, summarize
from cftui.sweep.store import COLUMNS, Store
from cftui.train import methods
from cftui.train.validation import ConfigError

MARKERS = "ox+*#%@&$="  # one per method, distinct on a plain-text terminal too
COLORS = ("cyan", "red", "green", "magenta", "yellow", "blue")  # names plotext and rich share
CHART_SIZE = (100, 30)  # columns, rows at most: fits a 100-column terminal and a README
MARGIN = 0.08  # decades of room around the points on both axes


@dataclass(frozen=True)
class Point:
    """One setting of one method on one preset, over its seeds."""

    method: str
    label: str  # the method and its grid settings, e.g. "ewc lambda=1000"
    memory: Stats
    plasticity: Stats
    wins: int  # seeds on which task 1 ends lower than naive's on the same seed
    versus: int  # seeds compared with naive
    failed: int  # seeds that diverged or failed
    pareto: bool = False


def label(method: str, settings: dict) -> str:
    values = " ".join(f"{k}={methods.setting_text(v)}" for k, v in sorted(settings.items()))
    return f"{method} {values}" if values else method


def points(rows: list[dict], memory: str = "task1") -> list[Point]:
    """One point per setting, with the Pareto-optimal ones marked: naive first (the
    reference), then each method's settings in increasing order."""
    rows = sorted(
        rows, key=lambda r: (r["method"] != "naive", r["method"], *r["settings"].values())
    )
    outcomes = [
        Outcome(
            label(row["method"], row["settings"]),
            row["seed"],
            row["loss_matrix"] or [],
            row["seconds"] or 0.0,
            row["state"],
        )
        for row in rows
    ]
    method_of = {label(row["method"], row["settings"]): row["method"] for row in rows}
    found = []
    for name, summary in summarize(outcomes).items():
        final = summary["final"] or [Stats.of([])]
        held = final[0] if memory == "task1" else summary["forgetting"]
        found.append(
            Point(
                method_of[name],
                name,
                held,
                final[-1],
                summary["wins"],
                summary["versus"],
                summary["failed"],
            )
        )
    return [_marked(p, found) for p in found]


def _marked(point: Point, others: list[Point]) -> Point:
    """The point, marked Pareto-optimal when no other setting is as good on both axes and
    better on one (lower memory loss and lower plasticity loss are both better)."""
    if not _drawable(point):
        return point
    mine = (point.memory.median, point.plasticity.median)
    for other in filter(_drawable, others):
        theirs = (other.memory.median, other.plasticity.median)
        if theirs != mine and all(t <= m for t, m in zip(theirs, mine, strict=True)):
            return point
    return dataclasses.replace(point, pareto=True)


def _drawable(point: Point) -> bool:
    """Whether it has a place on a log-log chart."""
    return point.memory.median > 0 and point.plasticity.median > 0


def chart(preset: str, found: list[Point], memory: str, width: int, color: bool) -> Text:
    """The scatter as text, with its legend below it (plotext's own sits in the top-left
    corner, where naive and the other forgetful settings are)."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(min(width, CHART_SIZE[0]), CHART_SIZE[1])
    if not color:
        plt.theme("clear")
    drawn = [p for p in found if _drawable(p)]
    front = sorted((p for p in drawn if p.pareto), key=lambda p: p.plasticity.median)
    if front:
        plt.plot(*_logs(front), marker="dot", color="gray")
    legend = [("•", "Pareto front", "gray")]  # the glyph plotext draws for marker="dot"
    for i, method in enumerate(dict.fromkeys(p.method for p in drawn)):
        marker, tint = MARKERS[i % len(MARKERS)], COLORS[i % len(COLORS)]
        plt.scatter(*_logs([p for p in drawn if p.method == method]), marker=marker, color=tint)
        legend.append((marker, method, tint))
    axes = ((plt.xlim, plt.xticks), (plt.ylim, plt.yticks))
    for (limits, ticks), values in zip(axes, _logs(drawn), strict=True):
        low, high = min(values, default=0) - MARGIN, max(values, default=1) + MARGIN
        limits(low, high)
        ticks(*log_ticks(low, high))
    held = "task 1's final MSE" if memory == "task1" else "mean forgetting"
    plt.title(f"{preset}: memory ({held}) vs plasticity (last task's final MSE)")
    plt.xlabel("plasticity, log (lower is better)")
    plt.ylabel("memory, log (lower is better)")
    left_out = len(found) - len(drawn)
    notes = [f"{left_out} setting(s) at or below 0 not drawn"] if left_out else []
    key = [(f"{marker} {name}", tint if color else "") for marker, name, tint in legend]
    return Text.assemble(
        Text.from_ansi(plt.build()),
        "\n",
        *(part for item in key for part in (item, "  ")),
        "\na point per setting: its median over seeds. Below, wins over naive: the seeds on "
        "which task 1 ends lower than naive's (same data, same initial weights)",
        *(f"; {note}" for note in notes),
    )


def _logs(found: list[Point]) -> tuple[list[float], list[float]]:
    return (
        [math.log10(p.plasticity.median) for p in found],
        [math.log10(p.memory.median) for p in found],
    )


def tables(preset: str, found: list[Point]) -> list[Table]:
    """Per method: setting | memory | plasticity | wins over naive | Pareto."""
    made = []
    for method in dict.fromkeys(p.method for p in found):
        table = Table(
            title=f"{preset} · {method}: median (range) over seeds",
            title_justify="left",
            padding=(0, 1),
        )
        for column in ("setting", "memory", "plasticity", "wins over naive", "Pareto"):
            table.add_column(column, justify="left" if column == "setting" else "right")
        for p in (p for p in found if p.method == method):
            versus = "" if p.method == "naive" or not p.versus else f"{p.wins}/{p.versus}"
            failed = Text(f"\n{p.failed} diverged or failed", style="red") if p.failed else ""
            table.add_row(
                Text.assemble(p.label.removeprefix(method).strip() or "-", failed),
                _cell(p.memory),
                _cell(p.plasticity),
                versus,
                Text("✓", style="bold green") if p.pareto else "",
            )
        made.append(table)
    return made


def _cell(stats: Stats) -> Text:
    """The median, and the range over seeds dim on the line below."""
    if not stats.seeds:
        return Text("-", style="dim")
    return Text.assemble(f"{stats.median:.3g}", *(("\n", (stats.range, "dim")) * bool(stats.range)))


def write_csv(path: Path, rows: list[dict]) -> None:
    """Every row, settings and loss matrix as JSON text."""
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        as_json = {k: json.dumps(row[k]) for k in ("settings", "loss_matrix")}
        writer.writerow({**row, **as_json})
    write_atomic(path, text.getvalue())


def show(
    db: Path,
    preset: str | None,
    csv_path: Path | None,
    memory: str = "task1",
    png: Path | None = None,
) -> int:
    """The chart and tables per preset; with ``png``, each chart as a figure too (OUT, or
    OUT-PRESET.EXT for several presets; needs cftui[figures])."""
    if png:
        from cftui import figures

        figures.require("cftui sweep show --png")
        from cftui.figures.static import FORMATS

        if png.suffix.lower() not in FORMATS:
            raise ConfigError("--png", "", f"{png}: name a {', '.join(FORMATS)} file")
    for path in (csv_path, png):
        if path:
            check_writable(path)  # before the chart, not after it
    store = Store(db, create=False)
    try:
        rows, known = store.rows(preset), store.presets()
    finally:
        store.close()
    if not rows:
        have = f"; it has {', '.join(known)}" if known else ""
        raise ConfigError(f"--preset {preset}" if preset else str(db), "", f"no runs in {db}{have}")
    console = Console()
    presets = list(dict.fromkeys(row["preset"] for row in rows))
    for name in presets:
        found = points([row for row in rows if row["preset"] == name], memory)
        console.print(chart(name, found, memory, console.width, console.is_terminal))
        for table in tables(name, found):
            console.print(table)
        if png:
            from cftui.figures import trade_off

            out = png if len(presets) == 1 else png.with_name(f"{png.stem}-{name}{png.suffix}")
            held = "task 1's final test MSE" if memory == "task1" else "mean forgetting"
            trade_off.write(out, name, held, found)
            console.print(f"wrote {out}", soft_wrap=True)
    if csv_path:
        write_csv(csv_path, rows)
        console.print(f"wrote {len(rows)} rows to {csv_path}", soft_wrap=True)
    return 0
