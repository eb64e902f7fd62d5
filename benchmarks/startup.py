"""Start-up: how long cftui makes a person wait, against the ~1.6 s of `import torch`.

Only a run needs torch, so `cftui --help`, `presets` and `methods` should answer in a
fraction of a torch import, and the TUI should draw its first frame before torch loads (in
its training worker). Each command is a fresh `python -m cftui ...` process; the commands
run in turn, several rounds, the order rotated each round so drifts in machine speed hit all
alike. The table gives medians, as ratios to the median `python -c "import torch"`.
Run: python benchmarks/startup.py [--rounds 7] [--json OUT]   (the TUI row needs pyte)
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tui_bench import Terminal  # this folder is on sys.path as a script

PYTHON = sys.executable
COMMANDS = {  # what a person types -> argv
    "import torch": [PYTHON, "-c", "import torch"],
    "cftui --help": [PYTHON, "-m", "cftui", "--help"],
    "cftui presets": [PYTHON, "-m", "cftui", "presets"],
    "cftui methods": [PYTHON, "-m", "cftui", "methods"],
}
TARGETS = {"cftui --help": 0.3, "cftui presets": 0.3, "cftui methods": 0.3, "TUI first frame": 0.4}


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def first_frame() -> float:
    """Seconds from launching the TUI in a pseudo-terminal to its status line on screen
    (NaN if none comes)."""
    terminal = Terminal()
    try:
        terminal.wait_for("● ", timeout=20.0)
        return time.perf_counter() - terminal.started
    except TimeoutError:
        return math.nan
    finally:
        terminal.close()


def measure(rounds: int) -> dict[str, list[float]]:
    probes: dict[str, Callable[[], float]] = {
        name: functools.partial(timed, argv) for name, argv in COMMANDS.items()
    }
    probes["TUI first frame"] = first_frame
    seconds: dict[str, list[float]] = {name: [] for name in probes}
    names = list(probes)
    for i in range(rounds):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            seconds[name].append(probes[name]())
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    seconds = measure(args.rounds)
    torch_s = statistics.median(seconds["import torch"])
    rows = [
        {
            "command": name,
            "median_s": statistics.median(times),
            "ratio": statistics.median(times) / torch_s,
            "target": TARGETS.get(name),
            "seconds": times,
        }
        for name, times in seconds.items()
    ]
    table = Table(title=f"start-up ({os.cpu_count()} cores, median of {args.rounds} rounds)")
    for column in ("command", "median (s)", "vs import torch", "target"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for r in rows:
        target = f"<= {r['target']}x" if r["target"] else ""
        table.add_row(r["command"], f"{r['median_s']:.3f}", f"{r['ratio']:.2f}x", target)
    Console().print(table)
    if args.json:
        machine = {"cores": os.cpu_count(), "platform": platform.platform()}
        args.json.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
