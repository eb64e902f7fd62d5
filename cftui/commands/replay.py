"""`cftui replay FILE`: play a recording (`--record FILE`) in the live app, with no torch.

A recording made on a GPU box replays on a laptop that has only cftui's light part. The file
is read in full before the app opens, so a file of another format or a newer version is one
line and exit 2, not a broken screen. Importing this module loads neither torch nor Textual.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cftui.live.player import SPEED_RANGE


def _speed(text: str) -> float:
    try:
        speed = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not SPEED_RANGE[0] <= speed <= SPEED_RANGE[1]:
        raise argparse.ArgumentTypeError(f"must be within 1/16..64, got {text}")
    return speed


def add_parser(commands: argparse._SubParsersAction, parents: dict) -> argparse.ArgumentParser:
    replay = commands.add_parser(
        "replay",
        help="play a recording (--record FILE) in the app; needs no torch",
        description="Play a recording made with --record FILE: space pauses, ←/→ seek a "
        "second, [ and ] go to a task's start, +/- change the speed.",
    )
    replay.add_argument("file", type=Path, metavar="FILE", help="a recording (.jsonl or .gz)")
    replay.add_argument(
        "--speed", type=_speed, default=1.0, help="playback speed, 1/16..64 (default 1)"
    )
    replay.add_argument("--paused", action="store_true", help="open paused at the first frame")
    replay.set_defaults(handler=main)
    return replay


def main(args: argparse.Namespace) -> int:
    """Read the file (ConfigError: one line, exit 2), then play it (exit 1 and the error's
    line if the app stopped on one)."""
    from cftui.results.recording import read

    recording = read(args.file)
    if recording.stopped:
        print(f"cftui: {args.file}: replaying up to {recording.stopped}", file=sys.stderr)
    from cftui.tui.replay import ReplayApp  # Textual loads only now

    app = ReplayApp(recording, speed=args.speed, paused=args.paused)
    app.run()
    return app.exit_code()
