"""`cftui presets`: the presets a user can load, shipped and their own, in a table (a line a
preset, at 80 columns too; -v adds each description), then each broken file once with its
problems below it, so a typo in a user's preset is found here, not at the next run."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cftui.train import catalog


def add_parser(commands, parents: dict[str, argparse.ArgumentParser]) -> None:
    presets = commands.add_parser("presets", help="list the presets")
    presets.add_argument(
        "-v", "--verbose", action="store_true", help="with each preset's description"
    )
    presets.set_defaults(handler=list_presets)


def list_presets(args: argparse.Namespace) -> int:
    """The loadable presets in a table; then each broken file once, with its problems below
    it. Text goes in as Text, not markup: rich would take `[train]` for a style tag."""
    columns = ("preset", "tasks", "method", "description", "from")
    if not args.verbose:  # a line a preset, at 80 columns too
        columns = tuple(column for column in columns if column != "description")
    table = Table(*columns, title="presets")
    table.title_justify = "left"
    broken = []
    for entry in catalog.available():
        if entry.config is None:
            broken.append(entry)
            continue
        c = entry.config
        scenario = f"{' ' if args.verbose else ', '}{c.data.scenario}" if c.data.scenario else ""
        tasks = f"{c.data.n_tasks} {c.data.family}{scenario}"
        described = (Text(c.description),) if args.verbose else ()
        table.add_row(entry.name, tasks, c.method.name, *described, _origin(entry))
    console = Console()
    console.print(table)
    if not args.verbose:
        console.print("cftui presets -v: with their descriptions", style="dim")
    console.print(f"shipped: {catalog.shipped_dir()}\nyours:   {catalog.user_dir()}", style="dim")
    for entry in broken:
        shadows = " (shadows the shipped one)" if entry.shadows else ""
        console.print(Text.assemble(("skipped ", "yellow"), f"{entry.path}{shadows}:"))
        console.print(Text("\n".join(f"  {line}" for line in entry.error.splitlines())))
    return 0


def _origin(entry: catalog.Entry) -> str:
    if entry.shadows:
        return "yours, shadows shipped"
    return "yours" if entry.path.parent == catalog.user_dir() else "shipped"
