"""The side-by-side view's cost, measured in one run on this machine (issue 12's targets).

- Speed: three methods (naive, ewc, replay) trained side by side at full pace, in the app
  (Textual's test driver, 120x40), against the same training done without it: three bare
  hand-written loops one after another, and the three methods' trainers one after another
  (what running them yourself with `cftui run` costs).
- In a real terminal (a pseudo-terminal read by pyte, as tui_bench): the bytes per second a
  three-method comparison sends at the default pace, and key-to-screen latency (space
  pausing and resuming at full pace). The cost of drawing a frame of the comparison.
Run: python benchmarks/compare_bench.py [--seconds 8] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from cftui.train import catalog, threads
from cftui.train.trainer import Trainer

from tui_bench import (
    LONG,
    SIZE,
    Terminal,
    add_screen_rows,
    bare_rate,
    frame_costs,
    key_latencies,
    preset_config,
)

METHODS = ("naive", "ewc", "replay")
PRESET = "polynomial"  # the article's first experiment
FLAG = ",".join(METHODS)


def trainers_alone(seconds: float) -> float:
    """Steps per second of the three methods' trainers run one after another, for about
    ``seconds`` in all (each for its share)."""
    steps, started = 0, time.perf_counter()
    for name in METHODS:
        trainer = Trainer(preset_config(PRESET, LONG).with_overrides(method=name))
        due = time.perf_counter() + seconds / len(METHODS)
        for _ in trainer.loop:
            if time.perf_counter() > due:
                break
        steps += trainer.now.step
    return steps / (time.perf_counter() - started)


async def in_the_app(seconds: float) -> dict:
    """Training speed of the comparison in the app, and the cost of drawing its frames."""
    from cftui.tui.app import CftuiApp

    app = CftuiApp(preset_config(PRESET, LONG), "cpu", pace=None, compare=METHODS)
    seen = []
    draw = app.draw
    app.draw = lambda snap: (seen.append(snap), draw(snap))[1]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.5)
        total = lambda: sum(t.now.step for t in app.source.trainers)  # noqa: E731
        s0, t0 = total(), time.perf_counter()
        await asyncio.sleep(seconds)
        rate = (total() - s0) / (time.perf_counter() - t0)
        app.source.stop()
        await pilot.pause(0.2)
        frames = frame_costs(app, draw, seen[-40:])
    return {"app_steps_per_s": rate, "frame_ms": frames}


def real_terminal(seconds: float) -> dict:
    watch = Terminal("--compare", FLAG)
    watch.wait_for(r"step \d+")
    watch.pump(2.0)
    b0, t0 = watch.bytes, time.perf_counter()
    watch.pump(seconds, parse=False)
    bytes_per_s = (watch.bytes - b0) / (time.perf_counter() - t0)
    watch.close()
    full = Terminal("--compare", FLAG, "--pace", "full", "--epochs", str(LONG))
    full.wait_for(r"step \d+")
    full.pump(1.0)
    latencies = key_latencies(full)
    full.close()
    return {"bytes_per_s": bytes_per_s, "key_latency_ms": latencies}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    threads.apply(catalog.resolve("polynomial"), 1)  # as the app's worker
    bare_before, alone_before = bare_rate(2.0, PRESET), trainers_alone(args.seconds)
    app = asyncio.run(in_the_app(args.seconds))
    threads.apply(catalog.resolve("polynomial"), 1)  # the app set its own, in this process
    bare = (bare_before + bare_rate(2.0, PRESET)) / 2
    alone = (alone_before + trainers_alone(args.seconds)) / 2
    pty = real_terminal(args.seconds)
    frames, keys = app["frame_ms"], pty["key_latency_ms"]
    table = Table(
        title=f"{FLAG} side by side, 120x40 ({os.cpu_count()} cores, torch {torch.__version__})"
    )
    for column in ("measure", "value", "ratio", "target"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    ours = app["app_steps_per_s"]
    table.add_row(
        "in the app vs 3 bare loops (steps/s)",
        f"{ours:.0f} / {bare:.0f}",
        f"{ours / bare:.2f}x",
        ">= 0.8",
    )
    table.add_row(
        "in the app vs their trainers alone (steps/s)",
        f"{ours:.0f} / {alone:.0f}",
        f"{ours / alone:.2f}x",
        "",
    )
    add_screen_rows(table, frames, keys, pty["bytes_per_s"], frame_target="<= 15 median")
    Console().print(table)
    if args.json:
        report = {"bare_steps_per_s": bare, "trainers_alone_steps_per_s": alone, **app, **pty}
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
