"""`cftui sweep SPEC.toml` runs a grid; `cftui sweep show` charts and tabulates the results.

argparse cannot mix a positional spec with a `show` subcommand, so one parser takes both:
its first word is the spec, or `show`. Each mode's flags are in their own group of the
help, and a flag of the other mode is a usage error (exit 2). Importing this module loads
neither torch nor Textual: the handlers import what they need.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cftui.commands.methods import named_method
from cftui.train.validation import ConfigError

EXIT_FAILED = 1  # some run raised: its rows say why, and the next sweep tries it again
SHOW = "show"
RUN_FLAGS = ("backend", "workers", "address", "method")
SHOW_FLAGS = ("preset", "csv", "memory", "png")
MEMORY = ("task1", "forgetting")


def add_parser(commands: argparse._SubParsersAction, parents: dict) -> None:
    sweep = commands.add_parser(
        "sweep",
        help="train a grid of settings x seeds x presets into SQLite; `sweep show` charts it",
        usage="%(prog)s SPEC.toml [--db PATH] [--backend local|ray] [--workers N] "
        "[--address ADDR]\n       %(prog)s show [--db PATH] [--preset P] [--csv OUT] [--png OUT] "
        "[--memory task1|forgetting]",
        description="Run every setting of a grid (a TOML spec) on every preset and seed, one "
        "SQLite row per run and seed; run it again to resume. Then `show` draws memory "
        "against plasticity per setting and marks the Pareto-optimal ones.",
        argument_default=argparse.SUPPRESS,
    )
    sweep.add_argument("spec", metavar="SPEC.toml|show", help="the sweep spec, or `show`")
    sweep.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="results (default: sweep.db beside the spec; for show: ./sweep.db)",
    )
    run = sweep.add_argument_group("run a sweep (cftui sweep SPEC.toml)")
    run.add_argument("--backend", choices=("local", "ray"), help="where runs train (default local)")
    run.add_argument(
        "--method",
        type=named_method,
        action="append",
        metavar="FILE.py",
        help="a method file of your own, for the spec's [grid.NAME] (repeatable; local pool)",
    )
    run.add_argument(
        "--workers",
        type=_count,
        metavar="N",
        help="processes, or Ray CPUs on this machine, "
        "each with one torch thread (default: the number of cores)",
    )
    run.add_argument(
        "--address",
        metavar="ADDR",
        help="a Ray cluster: HOST:PORT, auto or ray://HOST:PORT (implies --backend ray)",
    )
    show = sweep.add_argument_group("show the results (cftui sweep show)")
    show.add_argument("--preset", metavar="P", help="only this preset")
    show.add_argument("--csv", type=Path, metavar="OUT", help="also write every row as CSV")
    show.add_argument(
        "--png", type=Path, metavar="OUT", help="also draw the chart as a figure (cftui[figures])"
    )
    show.add_argument(
        "--memory",
        choices=MEMORY,
        help="memory is task 1's final MSE (task1, the default) or the mean forgetting",
    )
    sweep.set_defaults(handler=main)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


def main(args: argparse.Namespace) -> int:
    flags = vars(args)
    if args.spec == SHOW:
        _refuse(flags, RUN_FLAGS, "a sweep run (cftui sweep SPEC.toml)")
        from cftui.sweep import show  # loads torch, for the summaries over seeds

        db = flags.get("db", Path("sweep.db"))
        memory = flags.get("memory", "task1")
        return show.show(db, flags.get("preset"), flags.get("csv"), memory, flags.get("png"))
    _refuse(flags, SHOW_FLAGS, "cftui sweep show")
    backend = flags.get("backend", "ray" if "address" in flags else "local")
    if backend == "local" and "address" in flags:
        raise ConfigError("--address", "", "needs --backend ray")
    from rich.console import Console

    from cftui.sweep import cluster, driver

    if "address" in flags:  # its form, before the spec is read (Ray loads later)
        cluster.check_form(flags["address"])

    spec = Path(args.spec)
    db = flags.get("db", driver.default_db(spec))
    workers = flags.get("workers", len(os.sched_getaffinity(0)))
    console = Console()
    tally = driver.run(spec, db, backend, workers, flags.get("address"), console)
    console.print(driver.summary(tally, db), highlight=False, soft_wrap=True)
    for error in tally.errors:
        print(f"cftui: failed: {error}", file=sys.stderr)
    return EXIT_FAILED if tally.failed else 0


def _refuse(flags: dict, others: tuple[str, ...], where: str) -> None:
    """A flag of the other mode is an error, not silently ignored."""
    for name in others:
        if name in flags:
            raise ConfigError(f"--{name}", "", f"only applies to {where}")
