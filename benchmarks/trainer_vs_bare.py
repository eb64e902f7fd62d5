"""Trainer bookkeeping cost: cftui's Trainer against a bare hand-written torch loop.

Both train the article's MLP on the same data with the same optimizer (model.optimizer:
fused Adam on a CPU) and batch size. The bare loop is the one a person writes: torch.nn.Linear
layers, F.mse_loss. The trainer trains its stacked model (one seed of model.MLP, batched
matmuls), so the ratio includes what that representation costs. They run alternately,
several rounds, and the table gives median steps/s and the median of the paired ratios
(target >= 0.95). A third loop, the bare one with torch's default Adam, shows what the fused
kernel gains.
Run: python benchmarks/trainer_vs_bare.py [--rounds 15] [--json OUT]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import platform
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from rich.console import Console
from rich.table import Table
from torch import nn

from cftui.train import catalog, model, problem, threads
from cftui.train.config import Config
from cftui.train.trainer import Trainer

CASES = {
    "polynomial, full batch (the article)": ("polynomial", 0, 100),
    "polynomial, 500 points, batch 64": ("polynomial", 64, 500),
}


def bare_loop(config: Config, fused: bool = True) -> float:
    """The loop a person would write by hand; returns steps per second. ``fused``: the
    trainer's optimizer; otherwise torch's default Adam. A 2-D classification preset trains
    cross-entropy on the logits its scenario allows, sliced (its classes are contiguous)."""
    kind = problem.of(config)
    classes = bool(kind.score)
    tasks = kind.draw(config.data)
    net = hand_written_mlp(config.model.layers, config.data.seed, config.model.activation)
    if fused:
        optimizer = model.optimizer("adam", net.parameters(), config.train.lr)
    else:
        optimizer = torch.optim.Adam(net.parameters(), lr=config.train.lr)
    batch = config.train.batch_size
    order = torch.Generator().manual_seed(config.data.seed)
    steps, started = 0, time.perf_counter()
    for k, task in enumerate(tasks):
        x = torch.as_tensor(task.x_train, dtype=torch.float32).reshape(len(task.x_train), -1)
        if classes:
            lo, hi = _window(config, tasks, k)
            y = torch.as_tensor(task.y_train) - lo
            loss = lambda out, target, lo=lo, hi=hi: F.cross_entropy(out[:, lo:hi], target)  # noqa: E731
        else:
            y = torch.as_tensor(task.y_train, dtype=torch.float32).reshape(-1, 1)
            loss = F.mse_loss
        for _ in range(config.train.epochs):
            batches = torch.randperm(len(x), generator=order).split(batch) if batch else [None]
            for index in batches:
                xb, yb = (x, y) if index is None else (x[index], y[index])
                optimizer.zero_grad(set_to_none=True)
                loss(net(xb), yb).backward()
                optimizer.step()
                steps += 1
    return steps / (time.perf_counter() - started)


def _window(config: Config, tasks: list, k: int) -> tuple[int, int]:
    """The logits task k trains: every class seen (class), its own (task), or all (domain)."""
    own = tasks[k].classes
    return {"class": (0, own[-1] + 1), "task": (own[0], own[-1] + 1)}.get(
        config.data.scenario, (0, config.data.n_classes)
    )


def hand_written_mlp(widths: list[int], seed: int, activation: str = "sigmoid") -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for width_in, width_out in itertools.pairwise(widths):
        layers += [nn.Linear(width_in, width_out), model.ACTIVATIONS[activation]()]
    return nn.Sequential(*layers[:-1])


def trainer_loop(config: Config) -> float:
    trainer = Trainer(config)
    started = time.perf_counter()
    snapshot = trainer.run()
    return snapshot.step / (time.perf_counter() - started)


def measure(rounds: int, epochs: int) -> list[dict]:
    rows = []
    for label, (preset, batch, points) in CASES.items():
        base = catalog.resolve(preset)
        config = dataclasses.replace(
            base,
            data=dataclasses.replace(base.data, points_per_task=points),
            train=dataclasses.replace(base.train, epochs=epochs, batch_size=batch),
        )
        rows.append({"case": label, **paired(config, rounds)})
    return rows


def paired(config: Config, rounds: int) -> dict:
    """The trainer and the bare loop on ``config``, alternately: medians and paired ratios."""
    default, bare, ours = [], [], []
    for i in range(rounds):  # alternate, so drifts in machine speed hit both alike
        if i % 2:  # and swap the order every other round, so neither always goes first
            ours.append(trainer_loop(config))
            bare.append(bare_loop(config))
        else:
            bare.append(bare_loop(config))
            ours.append(trainer_loop(config))
        default.append(bare_loop(config, fused=False))
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    return {
        "default_adam_steps_per_s": statistics.median(default),
        "bare_steps_per_s": statistics.median(bare),
        "trainer_steps_per_s": statistics.median(ours),
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--epochs", type=int, default=200, help="per task, as the article")
    parser.add_argument("--threads", type=int, help="torch threads (default: cftui's rule)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    used = threads.apply(catalog.resolve("polynomial"), 1, "cpu", args.threads)
    rows = measure(args.rounds, args.epochs)
    table = Table(title=f"trainer vs bare loop ({used} of torch, median of {args.rounds})")
    columns = ("case", "bare, default Adam", "bare steps/s", "trainer steps/s", "ratio (min-max)")
    for column in columns:
        table.add_column(column, justify="left" if column == "case" else "right")
    for r in rows:
        table.add_row(
            r["case"],
            f"{r['default_adam_steps_per_s']:.0f}",
            f"{r['bare_steps_per_s']:.0f}",
            f"{r['trainer_steps_per_s']:.0f}",
            f"{r['ratio']:.3f} ({r['ratio_min']:.2f}-{r['ratio_max']:.2f})",
        )
    Console().print(table)
    if args.json:
        machine = {
            "threads": used.count,
            "cores": threads.usable_cores(),
            "platform": platform.platform(),
        }
        args.json.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
