"""The command line: `cftui` (the live TUI) and its headless subcommands.

Every kind of bad input ends the same way: one line on stderr naming the file or flag and
the key, and exit code 2. A diverged run exits 1. Nothing prints a traceback.

torch loads only in the handlers that train (engine, compare) or in the TUI's worker, so
`--help`, `presets` and `methods` answer at once and the TUI shows its first frame early.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cftui import catalog, devices, methods, results
from cftui.config import Config, ConfigError
from cftui.snapshot import Snapshot, State

if TYPE_CHECKING:
    import torch

    from cftui.engine import Engine

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 1


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not the whole usage text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _number(kind: type, low: float, strict: bool) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid {kind.__name__}") from None
        if value < low or (strict and value == low) or value != value:
            raise argparse.ArgumentTypeError(f"must be {'>' if strict else '>='} {low}, got {text}")
        return value

    return parse


def _run_flags() -> argparse.ArgumentParser:
    """Flags shared by the TUI, run and compare; SUPPRESS keeps a subcommand from resetting them."""
    flags = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    flags.add_argument("--preset", metavar="NAME|PATH", help="preset name or TOML file")
    flags.add_argument("--seed", type=_number(int, 0, False), help="seed for data and weights")
    flags.add_argument("--epochs", type=_number(int, 1, False), help="epochs per task")
    flags.add_argument("--lr", type=_number(float, 0, True), help="learning rate")
    flags.add_argument("--device", choices=devices.CHOICES, help="torch device (default: auto)")
    return flags


def _method_list(text: str) -> tuple[str, ...]:
    if text == "all":
        return methods.names()
    chosen = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in chosen if name not in methods.names()]
    if unknown or not chosen:
        known = ", ".join(methods.names())
        raise argparse.ArgumentTypeError(
            f"unknown method {', '.join(unknown) or '(none)'}; choose from {known} or all"
        )
    return chosen


def _pace(text: str) -> float | None:
    return None if text == "full" else _number(float, 0, True)(text)


def build_parser() -> argparse.ArgumentParser:
    common = _run_flags()
    method = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    method.add_argument("--method", choices=methods.names(), help="continual-learning method")
    live = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    live.add_argument(
        "--pace",
        type=_pace,
        metavar="EPOCHS_PER_S|full",
        help="TUI: starting pace (default: a task in 10 s)",
    )
    parser = Parser(
        prog="cftui",
        parents=[common, method, live],
        description="Watch catastrophic forgetting happen, live, and fight it.",
        epilog="Without a command, cftui opens the live TUI.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    run = commands.add_parser(
        "run", parents=[common, method], help="train all tasks headless, print the loss matrix"
    )
    run.add_argument("--json", type=Path, metavar="OUT", help="write the result as JSON")
    compare = commands.add_parser(
        "compare", parents=[common], help="run several methods on the same data and weights"
    )
    compare.add_argument(
        "--methods", type=_method_list, default=methods.names(), metavar="A,B,...|all"
    )
    compare.add_argument("--seeds", type=_number(int, 1, False), default=1, help="seeds to average")
    compare.add_argument("--json", type=Path, metavar="OUT", help="write every loss matrix as JSON")
    commands.add_parser("presets", help="list the presets")
    commands.add_parser("methods", help="list the continual-learning methods")
    return parser


def load_config(args: argparse.Namespace) -> Config:
    config = catalog.resolve(getattr(args, "preset", catalog.DEFAULT))
    return config.with_overrides(
        method=getattr(args, "method", None),
        seed=getattr(args, "seed", None),
        epochs=getattr(args, "epochs", None),
        lr=getattr(args, "lr", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "run": run_headless,
        "compare": compare_methods,
        "presets": list_presets,
        "methods": list_methods,
    }.get(args.command, run_tui)
    try:
        return handler(args)
    except (ConfigError, results.WriteError) as err:
        print(f"cftui: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("cftui: interrupted", file=sys.stderr)
        return 130


def prepare(args: argparse.Namespace) -> tuple[Config, torch.device]:
    """The config and device the flags ask for; a --json path is checked before any training."""
    config = load_config(args)
    device = devices.resolve(getattr(args, "device", "auto"))
    if getattr(args, "json", None):
        results.check_writable(args.json)
    return config, device


def write_result(console: Console, path: Path, data: object) -> None:
    results.write_json(path, data)
    console.print(f"wrote {path}")


def run_tui(args: argparse.Namespace) -> int:
    """The app resolves "auto" in its training worker, where torch loads after the first
    frame; an explicit GPU is resolved here, so a missing one is one line before any UI."""
    config = load_config(args)
    device = getattr(args, "device", "auto")
    if device not in ("auto", "cpu"):
        device = str(devices.resolve(device))
    from cftui.tui.app import CftuiApp, default_pace  # Textual loads only for the TUI

    flags = {key: getattr(args, key) for key in ("seed", "epochs", "lr") if hasattr(args, key)}
    pace = getattr(args, "pace", default_pace(config))
    CftuiApp(config, device, overrides=flags, pace=pace).run()
    return 0


def run_headless(args: argparse.Namespace) -> int:
    from cftui import report
    from cftui.engine import Engine

    config, device = prepare(args)
    engine = Engine(config, device)
    console = Console()
    with ProgressBars(console, engine) as publish:
        snapshot = engine.run(publish)
    console.print(
        f"[bold]{config.name}[/] · {config.method.name} · seed {config.data.seed} · {device} · "
        f"{snapshot.step} steps in {engine.train_seconds:.1f} s"
    )
    console.print(report.loss_matrix_table(snapshot.loss_matrix, len(engine.tasks)))
    if args.json:
        write_result(console, args.json, results.summary(engine))
    if snapshot.state is State.DIVERGED:
        print(f"cftui: diverged: {snapshot.message}", file=sys.stderr)
        return EXIT_DIVERGED
    return 0


def compare_methods(args: argparse.Namespace) -> int:
    from cftui import compare, report

    config, device = prepare(args)
    seeds = range(config.data.seed, config.data.seed + args.seeds)
    console = Console()
    with console.status("") as status:
        outcomes = compare.run_all(
            config,
            args.methods,
            seeds,
            device,
            lambda method, seed: status.update(f"{method}, seed {seed}"),
        )
    summary = compare.summarize(outcomes)
    console.print(report.comparison_table(summary, config, len(seeds)))
    if args.json:
        write_result(
            console, args.json, results.comparison(config, device, seeds, outcomes, summary)
        )
    return 0


class ProgressBars:
    """A rich progress bar per task on a terminal; nothing when the output is piped."""

    def __init__(self, console: Console, engine: Engine) -> None:
        self.engine = engine
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("epochs · test MSE {task.fields[loss]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        epochs = engine.config.train.epochs
        self.ids = [
            self.bar.add_task(f"task {k + 1}", total=epochs, loss="-", start=False)
            for k in range(len(engine.tasks))
        ]

    def __enter__(self) -> Callable[[Snapshot], None]:
        self.bar.start()
        return self.publish

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def publish(self, snap: Snapshot) -> None:
        for done in self.ids[: snap.task]:
            self.bar.update(done, completed=self.engine.config.train.epochs)
        bar = self.ids[snap.task]
        self.bar.start_task(bar)
        loss = f"{snap.test_losses[-1][snap.task]:.4g}" if len(snap.steps) else "-"
        self.bar.update(bar, completed=snap.epoch, loss=loss)


def list_presets(args: argparse.Namespace) -> int:
    table = Table("preset", "tasks", "method", "description", title="presets", title_justify="left")
    broken = []
    for entry in catalog.available():
        if entry.config is None:
            broken.append(entry)
            continue
        c = entry.config
        table.add_row(entry.name, f"{c.data.n_tasks} {c.data.family}", c.method.name, c.description)
    console = Console()
    console.print(table)
    console.print(f"shipped: {catalog.shipped_dir()}\nyours:   {catalog.user_dir()}", style="dim")
    for entry in broken:
        console.print(f"[yellow]skipped[/] {entry.path}: {entry.error}", highlight=False)
    return 0


def list_methods(args: argparse.Namespace) -> int:
    table = Table("method", "what it does", "settings (defaults)", title="methods")
    table.title_justify = "left"
    for method in methods.METHODS:
        settings = ", ".join(f"{k} = {v}" for k, v in method.defaults.items()) or "-"
        table.add_row(method.name, method.summary, settings)
    Console().print(table)
    return 0
