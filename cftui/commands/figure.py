"""`cftui figure`: the article's figures and its training animation as files, from a
recording (`--record`'s JSONL, raw or .gz; no torch needed) or from a run it trains
headless first (the flags of `cftui run`, or `--compare A,B,...` for several side by side).

A run trained here is measured about MEASURES_PER_TASK times a task and keeps
record.FRAMES_PER_TASK frames a task, each record.FRAME_S apart on its recording's clock
(the app's default: a task in 10 s, 5 frames a second), so its animation is the one the app
would have recorded. Bad flags, files and missing extras are one line and exit 2, said before
anything is trained or written; the figures and the animation are written all or none
(atomic.Outputs): a failure, Ctrl+C or a kill leaves every earlier file as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

MEASURES_PER_TASK = 100  # test measurements a task (unless the preset sets eval_every)
SIZE_RANGE = (64, 8000)  # pixels a side that --size accepts
DPI_RANGE = (30, 600)
FPS_RANGE = (1, 60)
KINDS = ("data", "loss", "fit", "accuracy", "regions", "digits", "matrix", "summary")  # fit: a
# 1-D run's; accuracy: a classification's; regions: a 2-D run's; digits: a digits run's;
# summary: side by side only


def _choice_list(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))
    unknown = [k for k in chosen if k not in KINDS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown figure {', '.join(unknown) or '(none)'}; choose from {', '.join(KINDS)}"
        )
    return chosen


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be within {low}..{high}, got {text}")
        return value

    return parse


def _size(text: str) -> tuple[int, int]:
    width, x, height = text.lower().partition("x")
    if not x:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 1200x700")
    side = _bounded(*SIZE_RANGE)
    return side(width), side(height)


def _path_of(formats: tuple[str, ...]) -> Callable[[str], Path]:
    def parse(text: str) -> Path:
        path = Path(text).expanduser()
        if path.suffix.lower() not in formats:
            raise argparse.ArgumentTypeError(f"{text!r}: name a {', '.join(formats)} file")
        return path

    return parse


def add_parser(commands: argparse._SubParsersAction, parents: dict) -> argparse.ArgumentParser:
    from cftui.commands import flags

    figure = commands.add_parser(
        "figure",
        parents=[parents["common"], parents["method"]],
        help="the article's figures (PNG, SVG, PDF) and a GIF, from a recording or a run",
        description="Write the figures data, loss, fit and matrix (a 2-D run: data, loss, "
        "accuracy, regions and matrix; a digits run: loss, accuracy, digits and matrix; side "
        "by side: also summary) as OUT-KIND.EXT, from a "
        "recording (no torch) or from a run trained now; or, with --scenarios, OUT-scenarios.EXT.",
    )
    figure.add_argument("file", nargs="?", type=Path, metavar="RECORDING", help="--record's file")
    figure.add_argument(
        "-o",
        "--out",
        type=_path_of((".png", ".svg", ".pdf")),
        metavar="OUT.png|.svg|.pdf",
        help="writes OUT-data.png, OUT-loss.png, ... (default: the recording's name, or "
        "cftui-PRESET-METHOD-TIME, as PNG in the current folder)",
    )
    figure.add_argument("--only", type=_choice_list, metavar="KIND,...", help=", ".join(KINDS))
    figure.add_argument("--size", type=_size, metavar="WxH", help="pixels (default: per figure)")
    figure.add_argument("--dpi", type=_bounded(*DPI_RANGE), help="pixels per inch (default 150)")
    figure.add_argument(
        "--style", choices=("light", "dark"), default="light", help="light (paper) or dark"
    )
    figure.add_argument(
        "--gif",
        type=_path_of((".gif", ".webp", ".mp4")),
        metavar="OUT.gif|.webp|.mp4",
        help="the training animation (side by side: a column per method); .mp4 needs ffmpeg",
    )
    figure.add_argument(
        "--fps", type=_bounded(*FPS_RANGE), default=10, help="animation frames a second (10)"
    )
    figure.add_argument(
        "--compare", type=flags.compared, metavar="A,B,...", help="train side by side"
    )
    figure.add_argument("--seeds", type=flags.seed_count, default=1, help=flags.SEEDS_HELP)
    figure.add_argument("--record", type=Path, metavar="FILE", help="also keep the run's recording")
    figure.add_argument(
        "--scenarios",
        action="store_true",
        help="train the --compare methods (default naive,ewc,replay) in the class-, task- and "
        "domain-incremental presets: OUT-scenarios.EXT, their regions after the last task",
    )
    figure.set_defaults(handler=main)
    return figure


def main(args: argparse.Namespace) -> int:
    """Read the recording, or load the config; refuse what cannot be drawn and check every
    output; then train (if no recording), draw, and write all the outputs or none."""
    from cftui import figures
    from cftui.commands import scenarios_figure
    from cftui.results.atomic import Outputs, check_writable
    from cftui.train import problem
    from cftui.train.snapshot import Comparison

    figures.require()
    from cftui.figures import animate, static

    if args.scenarios:
        return scenarios_figure.main(args, _config, _train)

    if args.gif:
        animate.check_writer(args.gif)
    if args.file:
        frames, stem = _recorded(args)
        config, side_by_side = None, isinstance(frames[-1].snapshot, Comparison)
        drawn = static.picture(frames[-1].snapshot)
    else:
        frames, (config, stem), side_by_side = [], _config(args), bool(args.compare)
        drawn = problem.of(config).picture
    kinds = args.only or static.kinds_of(drawn, side_by_side)
    _refuse(args, kinds, static.kinds_of(drawn, side_by_side=True), side_by_side)
    out = args.out or Path(f"{stem}.png")
    if args.record:  # written as the run trains (a killed run leaves a replayable prefix)
        check_writable(args.record)
    with Outputs([*static.paths(out, kinds), args.gif]) as outputs:
        if not args.file:
            frames = _train(args, config)
        shown = frames[-1].snapshot
        size, dpi = args.size, args.dpi or static.DPI
        for path, content in static.render(shown, out, kinds, args.style, size, dpi).items():
            outputs.write(path, content)
        if args.gif:
            size, dpi = args.size or animate.default_size(shown), args.dpi or animate.DPI
            count = animate.write(frames, outputs.temp(args.gif), args.fps, args.style, size, dpi)
        outputs.commit()
    for path in static.paths(out, kinds):
        print(f"wrote {path}")
    if args.gif:
        print(f"wrote {args.gif} ({count} frames at {args.fps} a second)")
    return 0


def _refuse(
    args: argparse.Namespace, kinds: tuple[str, ...], drawable: tuple[str, ...], side_by_side: bool
) -> None:
    """What cannot be drawn, said before anything is trained or written: a figure of another
    problem's (a 2-D run has regions, not a fit), a summary of one run."""
    from cftui.train.config import ConfigError

    if foreign := [kind for kind in kinds if kind not in drawable]:
        draws = ", ".join(drawable)
        raise ConfigError("--only", foreign[0], f"is not a figure of this run; it has {draws}")
    if "summary" in kinds and not side_by_side:
        raise ConfigError("--only", "summary", "is the table of runs side by side (--compare)")


def _stem(path: Path) -> str:
    """A recording's name without its suffixes (.jsonl, .gz) or a leading dot: the figures
    of .last.jsonl are last-data.png, ..., not hidden files."""
    return path.name.lstrip(".").split(".")[0] or "recording"


def _recorded(args: argparse.Namespace) -> tuple[list, str]:
    """The recording's last scene (one per run and rerun), and its name without suffixes."""
    from cftui.results import recording
    from cftui.train.config import ConfigError

    trained_flags = ("preset", "method", "seed", "epochs", "lr", "settings", "device")
    given = [f"--{name}" for name in trained_flags if hasattr(args, name)]
    given += [f"--{name}" for name in ("compare", "record") if getattr(args, name)]
    if given or args.seeds != 1:
        raise ConfigError(" ".join(given or ["--seeds"]), "", "trains a run: not with RECORDING")
    read = recording.read(args.file)
    last = read.frames[-1].snapshot.run
    frames = [frame for frame in read.frames if frame.snapshot.run == last]
    if read.stopped:
        print(f"cftui: {args.file}: drawing up to {read.stopped}", file=sys.stderr)
    return frames, _stem(args.file)


def _config(args: argparse.Namespace) -> tuple:
    """The run's config, measured about MEASURES_PER_TASK times a task, and its file stem."""
    from cftui import cli
    from cftui.results import export
    from cftui.train import problem
    from cftui.train.run_state import steps_per_epoch

    config = cli.load_config(args)[0]
    if config.train.eval_every == 0:
        n = len(problem.of(config).draw(config.data)[0].x_train)
        per_epoch = steps_per_epoch(n, config.train.batch_size)
        every = max(1, config.train.epochs * per_epoch // MEASURES_PER_TASK)
        config = dataclasses.replace(
            config, train=dataclasses.replace(config.train, eval_every=every)
        )
    return config, export.file_stem(config, args.compare or ())


def _train(args: argparse.Namespace, config) -> list:
    """Train headless (loads torch), keeping the frames (and the recording, with --record)."""
    from rich.console import Console

    from cftui.commands.run import ProgressBars
    from cftui.live.runner import Runner
    from cftui.results import record, recording
    from cftui.train import devices, threads
    from cftui.train.trainer import Trainer

    device = devices.resolve(getattr(args, "device", "auto"))
    threads.apply(config, args.seeds, device, getattr(args, "threads", None))
    first = config.data.seed
    seeds = range(first, first + args.seeds) if args.seeds > 1 else None
    frames: list = []
    clock = lambda: len(frames) * record.FRAME_S  # noqa: E731
    runner = Runner(config, device, methods=args.compare, seeds=seeds) if args.compare else None
    trainer = runner.trainers[0] if runner else Trainer(config, device, seeds=seeds)
    with contextlib.ExitStack() as stack:
        bars = stack.enter_context(ProgressBars(Console(), trainer))  # a bar per task
        keep = lambda snap: frames.append(recording.Frame(clock(), snap))  # noqa: E731
        publish = lambda snap: (keep(snap), bars(snap))  # noqa: E731
        if args.record:
            publish = stack.enter_context(record.Recorder(args.record, clock)).around(publish)
        every = record.frame_epochs(config.train.epochs)  # epochs between two frames
        if runner:
            steps = max(t.now.batches.per_epoch for t in runner.trainers)
            runner.run(publish, every=every * steps)
        else:
            drive(trainer, publish, every)
    return frames


def drive(trainer, publish: Callable, every: int) -> None:
    """Train ``trainer`` to its end, publishing as it starts, at every task's start, every
    ``every`` epochs and at the end: the same frames on every run of the same config."""
    from cftui.train.trainer import Tick

    publish(trainer.take_snapshot())
    for tick in trainer.loop:
        if tick is Tick.TASK_BEGUN or (tick is Tick.EPOCH and trainer.now.epoch % every == 0):
            publish(trainer.take_snapshot())
    publish(trainer.take_snapshot())
