"""Training beside a busy neighbour: each command that trains, run idle and beside one other
busy process, with cftui's thread rule (cftui/train/threads.py) and with torch's default
(a thread per core: `--threads` set to this process's cores, what cftui did before).

The neighbours: a spinning Python process (a browser tab, a compile), and a torch process
multiplying matrices on its own default threads (another user's training). Each cell is the
median wall time of --rounds runs of the whole command; the speed ratio is idle / busy
(1.0: the neighbour costs nothing; target >= 0.4). `cftui run`'s own training seconds (its
"N steps in X s" line) are given too: start-up (import torch) is slowed by any neighbour.
Run on an otherwise idle machine:
    python benchmarks/contention.py [--rounds 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cftui.train import threads

SWEEP_SPEC = 'presets = ["polynomial"]\nseeds = 2\nepochs = 100\n[grid.naive]\n[grid.ewc]\n'
NEIGHBOURS = {
    "idle": None,
    "a spinning process": "while True: pass",
    "a torch process": "import torch\na = torch.randn(512, 512)\nwhile True: a @ a",
}
TRAINED_IN = re.compile(r"(\d+) steps in ([\d.]+) s")


def commands(folder: Path) -> dict[str, list[str]]:
    spec = folder / "spec.toml"
    spec.write_text(SWEEP_SPEC)
    return {
        "run --preset polynomial": ["run", "--preset", "polynomial"],
        "compare --methods naive,ewc --seeds 4": [
            *("compare", "--preset", "polynomial", "--methods", "naive,ewc", "--seeds", "4"),
        ],
        "figure --only loss (trains)": [
            *("figure", "--preset", "polynomial", "--only", "loss", "-o", str(folder / "f.svg")),
        ],
        "sweep (2 jobs, 2 workers)": [
            *("sweep", str(spec), "--db", str(folder / "s.db"), "--workers", "2"),
        ],
    }


def timed(argv: list[str], flag: list[str]) -> tuple[float, float | None]:
    """Wall seconds of `cftui ARGV FLAG`, and the training seconds it printed (run only).
    A sweep's database goes first: a sweep whose rows are there trains nothing again."""
    for db in (Path(word) for word in argv if word.endswith(".db")):
        db.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cftui", *argv, *flag], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    trained = TRAINED_IN.search(done.stdout)
    return wall, float(trained.group(2)) if trained else None


def beside(neighbour: str | None, argv: list[str], flag: list[str], rounds: int) -> dict:
    busy = subprocess.Popen([sys.executable, "-c", neighbour]) if neighbour else None
    try:
        time.sleep(1.0 if busy else 0.0)  # the neighbour up to speed (torch imported)
        runs = [timed(argv, flag) for _ in range(rounds)]
    finally:
        if busy:
            busy.kill()
            busy.wait()
    trained = [t for _, t in runs if t is not None]
    return {
        "wall_s": statistics.median(w for w, _ in runs),
        "train_s": statistics.median(trained) if trained else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cores = threads.usable_cores()
    settings = {"cftui's rule": [], f"torch's default ({cores})": ["--threads", str(cores)]}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, argv in commands(Path(folder)).items():
            for setting, flag in settings.items():
                if argv[0] == "sweep" and flag:
                    continue  # a sweep's workers take no --threads: one core each
                cells = {n: beside(code, argv, flag, args.rounds) for n, code in NEIGHBOURS.items()}
                rows.append({"command": name, "threads": setting, "cells": cells})
    table = Table(
        title=f"idle and beside one busy process ({cores} cores; median of "
        f"{args.rounds}; speed ratio = idle / busy)"
    )
    for column in ("command", "threads", *NEIGHBOURS):
        table.add_column(column, justify="left" if column in ("command", "threads") else "right")
    for row in rows:
        idle = row["cells"]["idle"]
        table.add_row(
            row["command"], row["threads"], *(_cell(c, idle) for c in row["cells"].values())
        )
    Console().print(table)
    if args.json:
        machine = {"cores": cores, "platform": platform.platform()}
        args.json.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")


def _cell(cell: dict, idle: dict) -> str:
    """Wall seconds (and training seconds) with the speed ratio to idle."""
    text = f"{cell['wall_s']:.1f} s ({idle['wall_s'] / cell['wall_s']:.2f}x)"
    if cell["train_s"] is not None:
        text += f"\ntrain {cell['train_s']:.2f} s ({idle['train_s'] / cell['train_s']:.2f}x)"
    return text


if __name__ == "__main__":
    main()
