"""The values a flag takes, checked as argparse parses them, each refusal one line: a number
within its bound (the bound a preset or sweep spec has for the same key), a known method, the
methods to compare, a pace. The CLI and the command modules that take the same flags share
them (figure's --compare and --seeds are run's)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from cftui.commands.methods import named_method
from cftui.train import methods, validation

THREADS_HELP = (
    "CPU threads per training step (default: OMP_NUM_THREADS if set, else one per 300 MFLOP "
    "of a step, at most half the cores: 1 on a shared 2-core box, where more only wait)"
)
SEEDS_HELP = "train seeds SEED..SEED+N-1 at once, as one batched model (default 1)"


def number(kind: type, low: float, strict: bool) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid {kind.__name__}") from None
        if value < low or (strict and value == low) or value != value:
            raise argparse.ArgumentTypeError(f"must be {'>' if strict else '>='} {low}, got {text}")
        return value

    return parse


def known_method(text: str) -> str:
    name = named_method(text)
    if name not in methods.names():
        raise argparse.ArgumentTypeError(
            f"unknown method {name}; choose from {', '.join(methods.names())} or a .py file"
        )
    return name


def method_list(text: str) -> tuple[str, ...]:
    if text == "all":
        return methods.names()
    chosen = tuple(named_method(name.strip()) for name in text.split(",") if name.strip())
    unknown = [name for name in chosen if name not in methods.names()]
    if unknown or not chosen:
        known = ", ".join(methods.names())
        raise argparse.ArgumentTypeError(
            f"unknown method {', '.join(unknown) or '(none)'}; choose from {known} or all"
        )
    return chosen


def compared(text: str) -> tuple[str, ...]:
    chosen = method_list(text)
    if text != "all" and not 2 <= len(chosen) <= 6:
        raise argparse.ArgumentTypeError(f"name 2 to 6 methods to compare, got {len(chosen)}")
    return chosen


def count(most: int, what: str) -> Callable[[str], int]:
    """A whole number 1..``most``: the bound a preset or sweep spec has for the same key."""

    def parse(text: str) -> int:
        count = number(int, 1, False)(text)
        if count > most:
            raise argparse.ArgumentTypeError(f"at most {most} {what}, got {text}")
        return count

    return parse


seed_count = count(validation.MAX_SEEDS, "seeds at once")


def pace(text: str) -> float | None:
    if text == "full":
        return None
    try:
        return number(float, 0, True)(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a pace: epochs per second (a number > 0), or full"
        ) from None
