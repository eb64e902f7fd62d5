"""`cftui methods` lists every method (built in, installed, or a file named with --method);
`cftui methods new NAME` writes NAME.py and NAME.toml, a method of your own to start from.

The scaffold is plain fine-tuning as written, so it runs at once and gives naive's numbers;
each hook is written out where it is, with the shapes it takes and returns. Importing this
module loads neither torch nor Textual.
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cftui.train import methods
from cftui.train.config import ConfigError

HERE = Path(__file__).parent  # scaffold_method.py.txt and .toml.txt: $name and $cls in them


def named_method(text: str) -> str:
    """A --method value: a method's name, or a method file's path, which is loaded now (the
    user chose it) and its name returned; a file that fails to load is one line."""
    if not methods.outside.looks_like_file(text):
        return text
    try:
        return methods.use_file(text)
    except methods.outside.MethodLoadError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def add_parser(commands: argparse._SubParsersAction, parents: dict) -> argparse.ArgumentParser:
    listing = commands.add_parser(
        "methods",
        parents=[parents["method"]],
        help="list the continual-learning methods; `methods new NAME` starts your own",
        description="List the methods (--method FILE.py adds yours to the list), or write "
        "NAME.py and NAME.toml, a method of your own, with `cftui methods new NAME`.",
    )
    listing.add_argument("new", nargs="?", choices=["new"], help="write a new method's files")
    listing.add_argument("name", nargs="?", metavar="NAME", help="the new method's name")
    listing.add_argument(
        "--dir", type=Path, default=Path(), help="where `new` writes (default: here)"
    )
    listing.set_defaults(handler=main)
    return listing


def main(args: argparse.Namespace) -> int:
    if args.new:
        return new(args.name, args.dir)
    if args.name:
        raise ConfigError("methods", "", f"{args.name!r}: did you mean `cftui methods new NAME`?")
    return show()


def new(name: str | None, folder: Path) -> int:
    """Write ``folder/NAME.py`` and ``NAME.toml``; never over a file that exists."""
    if not name or not name.isidentifier() or name in methods.names():
        why = "is taken by a method" if name in methods.names() else "must be a Python name"
        raise ConfigError("methods new", "", f"NAME {why}, e.g. `cftui methods new mine`")
    words = {"name": name, "cls": "".join(part.title() for part in name.split("_")) or name}
    paths = [folder / f"{name}.py", folder / f"{name}.toml"]
    if there := [str(p) for p in paths if p.exists()]:
        raise ConfigError(there[0], "", "exists; choose another name or move it")
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        template = (HERE / f"scaffold_method{path.suffix}.txt").read_text(encoding="utf-8")
        path.write_text(string.Template(template).substitute(words), encoding="utf-8")
    print(
        f"wrote {paths[0]} and {paths[1]}: plain fine-tuning for now.\n"
        f"watch it beside ewc: cftui --compare ./{paths[0]},ewc"
    )
    return 0


def show() -> int:
    table = Table("method", "what it does", "settings (defaults)", title="methods")
    table.title_justify = "left"
    for method in methods.every():
        defaults = method.defaults.items()
        settings = ", ".join(f"{k} = {methods.setting_text(v)}" for k, v in defaults) or "-"
        fresh = "fresh optimizer per task" if method.optimizer_lifetime == "task" else ""
        notes = [method.scenario, fresh, method.origin]
        table.add_row(
            Text(method.name) + Text("".join(f"\n{note}" for note in notes if note), "dim"),
            Text(method.summary),
            settings,
        )
    table.caption = (
        "task id given: the method is told which task each input belongs to\n"
        "fresh optimizer per task: as its paper trains (\\[train] optimizer_lifetime = method);"
        " the others keep one for the whole run"
    )
    table.caption_justify = "left"
    console = Console()
    console.print(table)
    for line in methods.outside.skipped():
        console.print(Text.assemble(("skipped ", "yellow"), line))
    return 0
