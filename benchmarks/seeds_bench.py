"""Many seeds at the cost of a few: S seeds trained at once (one stacked model) against the
same S seeds trained one after another, in one run on this machine.

For each S the table gives seed-steps per second (S x optimizer steps / wall seconds) of the
batched run and of the sequential single-seed runs, with the same torch threads (cftui's
rule for S batched seeds, cftui/train/threads.py, unless --threads), and their
ratio (target for S = 16: >= 2.5x); the memory the batched model and its Adam state hold;
then `compare --methods all` with 16 seeds against 1 seed, in wall time (target <= 6x).
Run: python benchmarks/seeds_bench.py [--seeds 1,4,16,64] [--epochs 50] [--threads N]
     [--device cpu|cuda] [--json OUT]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from cftui.results.trials import run_all
from cftui.train import catalog, threads, validation
from cftui.train.config import Config
from cftui.train.trainer import Trainer

CASES = {  # label: (points per task, batch size)
    "article: full batch, 100 points": (100, 0),
    "minibatch: 500 points, batch 64": (500, 64),
}


def config_for(points: int, batch: int, epochs: int) -> Config:
    base = catalog.resolve("polynomial")
    return dataclasses.replace(
        base,
        data=dataclasses.replace(base.data, points_per_task=points),
        train=dataclasses.replace(base.train, epochs=epochs, batch_size=batch),
    )


def timed_run(config: Config, seeds: range, device: torch.device) -> tuple[float, int, int]:
    """Wall seconds, optimizer steps and bytes held by weights, gradients and Adam state."""
    engine = Trainer(config, device, seeds=seeds)
    _sync(device)
    started = time.perf_counter()
    snapshot = engine.run()
    _sync(device)
    seconds = time.perf_counter() - started
    optimizer_state = [t for s in engine.now.optimizer.state.values() for t in s.values()]
    tensors = [*engine.now.model.parameters(), *optimizer_state]
    held = sum(t.numel() * t.element_size() for t in tensors if torch.is_tensor(t))
    held += sum(p.numel() * p.element_size() for p in engine.now.model.parameters())  # grads
    return seconds, snapshot.step, held


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def measure(
    seed_counts: list[int], epochs: int, device: torch.device, flag: int | None
) -> list[dict]:
    """Each S batched and one seed at a time, both on the threads cftui's rule gives S
    batched seeds (or ``flag``'s)."""
    rows = []
    for label, (points, batch) in CASES.items():
        config = config_for(points, batch, epochs)
        timed_run(config, range(1), device)  # warm up: kernels, allocator, lazy imports
        for count in seed_counts:
            used = threads.apply(config, count, device, flag)
            seconds, steps, held = timed_run(config, range(count), device)
            sequential = sum(timed_run(config, range(s, s + 1), device)[0] for s in range(count))
            rows.append(
                {
                    "case": label,
                    "seeds": count,
                    "batched_seed_steps_per_s": count * steps / seconds,
                    "sequential_seed_steps_per_s": count * steps / sequential,
                    "ratio": sequential / seconds,
                    "threads": used.count,
                    "megabytes": held / 2**20,
                }
            )
    return rows


def compare_wall(epochs: int, device: torch.device) -> dict:
    """`cftui compare --preset polynomial --methods all` with 16 seeds and with 1."""
    config = catalog.resolve("polynomial").with_overrides(epochs=epochs)
    times = {}
    for count in (1, 16):
        threads.apply(config, count, device)
        started = time.perf_counter()
        run_all(config, validation.fitting_methods(config), range(count), device)
        times[count] = time.perf_counter() - started
    return {"seeds_1_s": times[1], "seeds_16_s": times[16], "ratio": times[16] / times[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,4,16,64", help="seed counts, comma-separated")
    parser.add_argument("--epochs", type=int, default=50, help="per task (the ratio, not the")
    parser.add_argument("--compare-epochs", type=int, default=200, help="epochs for compare")
    parser.add_argument("--threads", type=int, help="torch threads (default: cftui's rule)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    device = torch.device(args.device)
    rows = measure([int(s) for s in args.seeds.split(",")], args.epochs, device, args.threads)
    wall = compare_wall(args.compare_epochs, device)
    table = Table(title=f"seeds at once vs one after another ({device})")
    columns = ("case", "S", "threads", "batched seed-steps/s", "sequential", "ratio", "MB held")
    for column in columns:
        table.add_column(column, justify="left" if column == "case" else "right")
    for r in rows:
        table.add_row(
            r["case"],
            str(r["seeds"]),
            str(r["threads"]),
            f"{r['batched_seed_steps_per_s']:.0f}",
            f"{r['sequential_seed_steps_per_s']:.0f}",
            f"{r['ratio']:.2f}x",
            f"{r['megabytes']:.1f}",
        )
    console = Console()
    console.print(table)
    console.print(
        f"compare --methods all, {args.compare_epochs} epochs: 1 seed {wall['seeds_1_s']:.1f} s,"
        f" 16 seeds {wall['seeds_16_s']:.1f} s = {wall['ratio']:.2f}x (target <= 6x)"
    )
    if args.json:
        machine = {
            "cores": threads.usable_cores(),
            "device": str(device),
            "platform": platform.platform(),
        }
        result = {"machine": machine, "rows": rows, "compare": wall}
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
