"""`cftui tour`: the subcommand that opens the guided tour (cftui.tui.tour).

Cheap to import, as every subcommand module is: argparse only; Textual and torch load when
the tour starts.
"""

from __future__ import annotations

import argparse

from cftui.train import devices
from cftui.tui.tour_steps import STEPS


def _step(text: str) -> int:
    """A step number, 1..len(STEPS), as an index."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a step number") from None
    if not 1 <= number <= len(STEPS):
        raise argparse.ArgumentTypeError(f"choose a step from 1 to {len(STEPS)}, got {text}")
    return number - 1


def add_parser(commands, parents: dict[str, argparse.ArgumentParser]) -> None:
    tour = commands.add_parser(
        "tour",
        help="the article as a guided tour: → / enter next step, ← back",
        description="Why you forget me? — the article, step by step, live: two tasks, "
        "forgetting on four data families, then the remedies.",
    )
    tour.add_argument(
        "--step", type=_step, default=0, metavar="N", help=f"start at step N (1-{len(STEPS)})"
    )
    tour.add_argument(
        "--device", choices=devices.CHOICES, default="auto", help="torch device (default: auto)"
    )
    tour.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from cftui.tui.tour import TourApp  # Textual loads only now

    device = args.device
    if device not in ("auto", "cpu"):
        device = str(devices.resolve(device))  # a missing GPU: one line before any UI
    TourApp(device, start=args.step).run()
    return 0
