"""The command line: `cftui` (the live TUI) and its headless subcommands.

Every kind of bad input ends the same way: one line on stderr per problem, naming the file
or flag and the key (a broken preset lists all of its problems at once), and exit code 2.
A diverged run exits 1. Nothing prints a traceback.

torch loads only where training starts (cftui.commands.run, or the TUI's worker), so
`--help`, `presets` and `methods` answer at once and the TUI shows its first frame early.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from cftui import __version__
from cftui.commands import flags
from cftui.live.pacing import default_pace
from cftui.results import record
from cftui.results.atomic import WriteError
from cftui.train import catalog, devices, methods, rules, validation
from cftui.train.config import Config, ConfigError

EXIT_BAD_INPUT = 2
# Subcommands that live in their own modules: each has add_parser(commands, parents), which
# registers it with a handler(args) -> exit code; importing one loads neither torch nor Textual.
COMMAND_MODULES = (
    "cftui.commands.presets",
    "cftui.commands.replay",
    "cftui.commands.tour",
    "cftui.commands.serve",
    "cftui.commands.sweep",
    "cftui.commands.figure",
    "cftui.commands.methods",
)


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not the whole usage text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        """A misspelt flag is named as such first: argparse would take its value for a
        command (`--presets polynomial`: "invalid choice: 'polynomial'")."""
        words = sys.argv[1:] if args is None else list(args)
        known = {option for sub in _parsers(self) for option in sub._option_string_actions}
        for word in words:
            flag = word.split("=", 1)[0]
            if word == "--":
                break
            if flag.startswith("--") and not any(k.startswith(flag) for k in known):
                close = difflib.get_close_matches(flag, sorted(known), n=1, cutoff=0.75)
                hint = f"; did you mean {close[0]}?" if close else ""
                self.error(f"unknown flag {flag}{hint}")
        return super().parse_args(words, namespace)


def _parsers(parser: argparse.ArgumentParser):
    """The parser and every subcommand's, at any depth."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def _run_flags() -> argparse.ArgumentParser:
    """Flags shared by the TUI, run and compare; SUPPRESS keeps a subcommand from resetting them."""
    shared = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    shared.add_argument("--preset", metavar="NAME|PATH", help="preset name or TOML file")
    shared.add_argument(
        "--seed", type=flags.number(int, 0, False), help="seed for data and weights"
    )
    shared.add_argument(
        "--epochs", type=flags.count(rules.MAX_EPOCHS, "epochs per task"), help="epochs per task"
    )
    shared.add_argument("--lr", type=flags.number(float, 0, True), help="learning rate")
    shared.add_argument("--device", choices=devices.CHOICES, help="torch device (default: auto)")
    shared.add_argument(
        "--threads", type=flags.number(int, 1, False), metavar="N", help=flags.THREADS_HELP
    )
    shared.add_argument(
        "--set",
        action="append",
        dest="settings",
        metavar="METHOD.KEY=VALUE",
        help="a method's setting, as in the preset's [method.METHOD] table (repeatable; "
        "e.g. ewc.lambda=1000)",
    )
    return shared


def build_parser() -> argparse.ArgumentParser:
    common = _run_flags()
    method = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    method.add_argument(
        "--method",
        type=flags.known_method,
        metavar="NAME|FILE.py",
        help="continual-learning method (see cftui methods), or a file of your own",
    )
    live = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    live.add_argument(
        "--pace",
        type=flags.pace,
        metavar="EPOCHS_PER_S|full",
        help="TUI: starting pace (default: a task in 10 s)",
    )
    live.add_argument(
        "--paused", action="store_true", help="TUI: start paused, showing the data untrained"
    )
    live.add_argument(
        "--compare",
        type=flags.compared,
        metavar="A,B,...|all",
        help="TUI: train 2 to 6 methods side by side on the same data and initial weights "
        "(all: every method, on a terminal of at least 160x45)",
    )
    live.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="TUI: record the run to FILE (FILE.gz: compressed), for `cftui replay`",
    )
    live.add_argument(
        "--seeds",
        type=flags.seed_count,
        help="TUI: train seeds SEED..SEED+N-1 at once; curves show the median and the range",
    )
    parser = Parser(
        prog="cftui",
        parents=[common, method, live],
        description=f"cftui {__version__}: watch catastrophic forgetting happen, live, and "
        "fight it.",
        epilog="Without a command, cftui opens the live TUI.",
    )
    parser.add_argument("--version", action="version", version=f"cftui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    run = commands.add_parser(
        "run", parents=[common, method], help="train all tasks headless, print the loss matrix"
    )
    run.add_argument("--seeds", type=flags.seed_count, default=1, help=flags.SEEDS_HELP)
    run.add_argument("--json", type=Path, metavar="OUT", help="write the result as JSON")
    run.add_argument(
        "--csv",
        type=Path,
        metavar="OUT",
        help="write the loss history to OUT and the loss matrix to OUT-matrix.csv",
    )
    run.add_argument(
        "--record", type=Path, metavar="FILE", help="record the run to FILE, for `cftui replay`"
    )
    run.add_argument(
        "--pace",
        type=flags.pace,
        metavar="EPOCHS_PER_S|full",
        help="train at this pace (default full): a recording then replays as it trained",
    )
    compare = commands.add_parser(
        "compare", parents=[common], help="run several methods on the same data and weights"
    )
    compare.add_argument("--methods", type=flags.method_list, default="all", metavar="A,B,...|all")
    compare.add_argument("--seeds", type=flags.seed_count, default=1, help=flags.SEEDS_HELP)
    compare.add_argument("--json", type=Path, metavar="OUT", help="write every loss matrix as JSON")
    for module in COMMAND_MODULES:
        parents = {"common": common, "method": method, "live": live}
        importlib.import_module(module).add_parser(commands, parents)
    return parser


def load_config(args: argparse.Namespace) -> tuple[Config, dict]:
    """The preset with the flags applied, and the flags that override a preset (all but
    --method), which the TUI applies again to a preset picked later."""
    config = catalog.resolve(getattr(args, "preset", catalog.DEFAULT))
    flags = {key: getattr(args, key) for key in ("seed", "epochs", "lr") if hasattr(args, key)}
    if hasattr(args, "settings"):
        flags["settings"] = validation.method_overrides(args.settings)
    config = config.with_overrides(method=getattr(args, "method", None), **flags)
    _check_methods(args, config)
    return config, flags


def _check_methods(args: argparse.Namespace, config: Config) -> None:
    """Every method the flags name must run on the preset's scenario (a 2-D class or domain
    split gives no task id, which a task-aware method needs); ``all`` means all that do."""
    for flag in ("compare", "methods"):
        if getattr(args, flag, None) == methods.names():
            setattr(args, flag, validation.fitting_methods(config))
    named = {"method": (config.method.name,) if hasattr(args, "method") else ()}
    for flag in ("method", "compare", "methods"):
        for name in named.get(flag, getattr(args, flag, None) or ()):
            if why := validation.unfit_method(config, name):
                raise ConfigError(f"--{flag}", "", why)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if handler := getattr(args, "handler", None):
            return handler(args)
        if args.command in ("run", "compare"):
            from cftui.commands import run as headless  # loads torch

            train = headless.run if args.command == "run" else headless.compare_methods
            return train(args, load_config(args)[0])
        return run_tui(args)
    except (ConfigError, WriteError) as err:
        for line in str(err).splitlines():
            print(f"cftui: error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("cftui: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a method file's hook that raised: its file and line, once
        if (line := methods.outside.blame(err, methods.files().values())) is None:
            raise
        print(f"cftui: error: {line}", file=sys.stderr)
        return 1


def run_tui(args: argparse.Namespace) -> int:
    """The app resolves "auto" in its training worker, where torch loads after the first
    frame; an explicit GPU is resolved here, so a missing one is one line before any UI."""
    config, flags = load_config(args)
    device = getattr(args, "device", "auto")
    if device not in ("auto", "cpu"):
        device = str(devices.resolve(device))
    from cftui.tui.app import CftuiApp  # Textual loads only for the TUI
    from cftui.tui.compare_view import too_small_for_all

    compare = getattr(args, "compare", ())
    size = shutil.get_terminal_size()
    if len(compare) > 6 and (problem := too_small_for_all(size, len(compare))):
        raise ConfigError("--compare all", "", problem)
    pace = getattr(args, "pace", default_pace(config))
    paused = getattr(args, "paused", False)
    seeds = getattr(args, "seeds", 1)
    with contextlib.ExitStack() as stack:
        recorder = None
        if path := getattr(args, "record", None):
            recorder = stack.enter_context(record.Recorder(path))  # before the app opens
        app = CftuiApp(
            config,
            device,
            overrides=flags,
            pace=pace,
            paused=paused,
            compare=compare,
            seeds=seeds,
            recorder=recorder,
            threads=getattr(args, "threads", None),
        )
        app.run()
    if recorder is not None:  # closed now: its whole size
        print(record.recorded(recorder.path))
    return app.exit_code()
