"""`cftui run` and `cftui compare`: training with no UI, then tables (and JSON) of results.

Several seeds train at once as one stacked model (a trainer's seeds), so `--seeds 16` costs far
less than sixteen runs. One seed prints the loss matrix as it is; several print the median
over seeds with the range beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cftui.live.runner import Runner
from cftui.results import export, record, report
from cftui.results.atomic import check_writable, json_text, write_all, write_json
from cftui.results.summary import comparison_result, run_result, summarize
from cftui.results.trials import run_all, seed_outcomes
from cftui.train import devices, explain, problem, threads
from cftui.train.config import Config
from cftui.train.snapshot import Comparison, Snapshot, State
from cftui.train.trainer import Trainer

EXIT_DIVERGED = 1


def outputs(args: argparse.Namespace) -> list[Path]:
    """The files written once the run is over, all or none: --json, and --csv's two."""
    csv = getattr(args, "csv", None)
    return [path for path in (args.json, csv, csv and export.matrix_path(csv)) if path]


def prepare(args: argparse.Namespace, config: Config) -> tuple[torch.device, range]:
    """The device and seeds the flags ask for, torch's threads set for them; every output
    path (--record's too) is checked before training."""
    device = devices.resolve(getattr(args, "device", "auto"))
    for path in (*outputs(args), getattr(args, "record", None)):
        if path:
            check_writable(path)
    threads.apply(config, args.seeds, device, getattr(args, "threads", None))
    return device, range(config.data.seed, config.data.seed + args.seeds)


def run(args: argparse.Namespace, config: Config) -> int:
    """Train one method on every task; exit 1 when every seed diverged."""
    device, seeds = prepare(args, config)
    runner = Runner(config, device, seeds=seeds, pace=getattr(args, "pace", None))
    trainer = runner.trainers[0]
    console = Console()
    if said := explain.caution(config, config.method.name):  # before it trains, as the app
        console.print(f"note: {said[0]}", style="dim", highlight=False, soft_wrap=True)
    full_pace, every = runner.pace.rate is None, None
    with contextlib.ExitStack() as stack:
        publish = stack.enter_context(ProgressBars(console, trainer))
        if args.record:  # at full pace, frames by progress on the app's clock: a replay
            clock = record.frame_clock() if full_pace else None  # as it would have shown it
            publish = stack.enter_context(record.Recorder(args.record, clock)).around(publish)
            if full_pace:
                epochs = record.frame_epochs(config.train.epochs)
                every = epochs * trainer.now.batches.per_epoch
        snapshot = runner.run(publish, every=every)
    which = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}–{seeds[-1]} at once"
    scenario = problem.scenario(config)
    method = f"{config.method.name} ({scenario})" if scenario else config.method.name
    console.print(
        f"[bold]{config.name}[/] · {method} · {which} · {threads.describe(device)} · "
        f"{snapshot.step} steps in {runner.train_seconds:.2f} s"
    )
    trained = sum(failure is None for failure in trainer.now.failures) or len(seeds)
    over = "" if len(seeds) == 1 else f", median over {trained} seeds"
    if trained < len(seeds):
        over += f" (of {len(seeds)}: the others diverged)"
    n_tasks, loss_name = len(trainer.tasks), trainer.problem.loss_name
    console.print(report.loss_matrix_table(snapshot.loss_matrix, n_tasks, loss_name + over))
    if snapshot.accuracy_matrix:
        title = f"test accuracy %{over}"
        console.print(report.accuracy_matrix_table(snapshot.accuracy_matrix, n_tasks, title))
    if len(seeds) == 1:
        data = run_result(trainer)
    else:
        console.print(report.OF_MEDIANS, style="dim")
        outcomes = seed_outcomes(trainer)
        summary = summarize(outcomes)
        console.print(report.fitted_comparison_table(summary, config, len(seeds), console.width))
        data = comparison_result(config, device, seeds, outcomes, summary)
    files = {args.json: json_text(data)} if args.json else {}
    files |= export.csv_files(args.csv, snapshot) if args.csv else {}
    write_all(files)
    for path in files:
        console.print(f"wrote {path}")
    if args.record:  # closed by now: its whole size
        console.print(record.recorded(Path(args.record)), highlight=False, soft_wrap=True)
    if any(trainer.now.failures):
        print(f"cftui: diverged: {snapshot.message}", file=sys.stderr)
    return EXIT_DIVERGED if snapshot.state is State.DIVERGED else 0


def compare_methods(args: argparse.Namespace, config: Config) -> int:
    device, seeds = prepare(args, config)
    console = Console()
    with console.status("") as status:
        outcomes = run_all(
            config,
            args.methods,
            seeds,
            device,
            lambda method: status.update(f"{method}: {len(seeds)} seed(s) at once"),
        )
    summary = summarize(outcomes)
    console.print(report.fitted_comparison_table(summary, config, len(seeds), console.width))
    if args.json:
        write_json(args.json, comparison_result(config, device, seeds, outcomes, summary))
        console.print(f"wrote {args.json}")
    return 0


class ProgressBars:
    """A rich progress bar per task on a terminal; nothing when the output is piped.
    A finished task's bar shows its loss at the end of the task (the loss matrix's
    diagonal), not the last one measured during it."""

    def __init__(self, console: Console, trainer: Trainer) -> None:
        self.epochs = trainer.config.train.epochs
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(f"epochs · {trainer.problem.loss_name} {{task.fields[loss]}}"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.ids = [
            self.bar.add_task(f"task {k + 1}", total=self.epochs, loss="-", start=False)
            for k in range(len(trainer.tasks))
        ]

    def __enter__(self) -> Callable[[Snapshot], None]:
        self.bar.start()
        return self.publish

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def publish(self, snap: Snapshot | Comparison) -> None:
        if isinstance(snap, Comparison):  # side by side: the run the others keep pace with
            snap = snap.lead
        for k, row in enumerate(snap.loss_matrix):
            self.bar.start_task(self.ids[k])
            self.bar.update(self.ids[k], completed=self.epochs, loss=f"{row[k]:.4g}")
        if len(snap.loss_matrix) <= snap.task:  # the task in training
            bar = self.ids[snap.task]
            self.bar.start_task(bar)
            loss = f"{snap.test_losses[-1][snap.task]:.4g}" if len(snap.steps) else "-"
            self.bar.update(bar, completed=snap.epoch, loss=loss)
