"""What each method costs a step: steps/s of one seed on `polynomial` (the article's run,
one thread), every method against naive in the same rounds, with its parameter count.

The methods run alternately, several rounds, so a drift in machine speed hits all alike; the
table gives the median steps/s (whole runs: end-of-task work such as PackNet's retraining or
EWC's Fisher included) and the median of each round's ratio to naive.
Run: python benchmarks/method_cost.py [--rounds 5] [--methods naive,ewc,...]
"""

from __future__ import annotations

import argparse
import statistics
import time

from rich.console import Console
from rich.table import Table

from cftui.train import catalog, threads
from cftui.train.trainer import Trainer


def steps_per_s(preset: str, method: str) -> tuple[float, int]:
    engine = Trainer(catalog.resolve(preset).with_overrides(method=method))
    started = time.perf_counter()
    snapshot = engine.run()
    parameters = sum(p.numel() for p in engine.now.model.parameters())
    return snapshot.step / (time.perf_counter() - started), parameters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--preset", default="polynomial")
    parser.add_argument("--methods", default="naive,ewc,multihead,packnet,hnet")
    args = parser.parse_args()
    threads.apply(catalog.resolve(args.preset), 1)
    names = args.methods.split(",")
    speeds: dict[str, list[float]] = {name: [] for name in names}
    sizes = {}
    for _ in range(args.rounds):
        for name in names:
            speed, sizes[name] = steps_per_s(args.preset, name)
            speeds[name].append(speed)
    table = Table(title=f"{args.preset}, one seed, one thread, median of {args.rounds} rounds")
    for column in ("method", "parameters", "steps/s", "x naive (min-max)"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for name in names:
        ratios = [s / n for s, n in zip(speeds[name], speeds["naive"], strict=True)]
        table.add_row(
            name,
            f"{sizes[name]:,}",
            f"{statistics.median(speeds[name]):.0f}",
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})",
        )
    Console().print(table)


if __name__ == "__main__":
    main()
