"""`cftui figure`, measured: the training GIF of a default recording (time and size at
800x400), what blitting saves over matplotlib's stock Pillow writer (which redraws the
whole figure for every frame), and the four figures in each format.

The recording is the app's default run (polynomial, a task in 10 s, 20 s in all, published
at runner.PUBLISH_HZ), played 10x faster with 10x the publish rate and a recorder clock
running 10x: the same frames at the same recorded times, in 2 s. The whole command runs in
a fresh process (its imports count), as a user meets it.
Run: python benchmarks/figure_bench.py [--rounds 3] [--preset blobs-class --method ewc]
[--json OUT] (a 2-D preset: its GIF of the regions, and its five figures)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib
from matplotlib.animation import PillowWriter
from rich.console import Console
from rich.table import Table

from cftui.figures import animate, static
from cftui.live import runner as runner_module
from cftui.live.pacing import default_pace
from cftui.live.runner import Runner
from cftui.results import record
from cftui.results.recording import Recording, read
from cftui.train import catalog, threads

SPEEDUP = 10
STOCK_FRAMES = 30  # frames drawn with the stock writer (it is slow): its cost per frame


def record_default_run(path: Path, preset: str, method: str | None) -> Recording:
    config = catalog.resolve(preset).with_overrides(method=method)
    threads.apply(config, 1)  # as the app trains
    runner_module.PUBLISH_HZ *= SPEEDUP
    started = time.monotonic()
    try:
        with record.Recorder(path, clock=lambda: (time.monotonic() - started) * SPEEDUP) as rec:
            Runner(config, pace=default_pace(config) * SPEEDUP).run(rec)
    finally:
        runner_module.PUBLISH_HZ //= SPEEDUP
    return read(path)


def command_seconds(path: Path, out: Path) -> float:
    """`cftui figure REC --only loss --gif OUT` in a new process: wall seconds (the GIF of a
    2-D run animates its regions beside its accuracy, whatever --only says)."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cftui",
            "figure",
            str(path),
            "--only",
            "loss",
            "-o",
            str(out.with_suffix(".png")),
            "--gif",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def per_frame_ms(movie: animate.Animation, writer: PillowWriter, frames: int, out: Path) -> float:
    started = time.perf_counter()
    with writer.saving(movie.fig, out, movie.fig.dpi):
        for k in range(frames):
            movie.update(k)
            writer.grab_frame()
    return (time.perf_counter() - started) / frames * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--preset", default="polynomial", help="e.g. blobs-class (a 2-D run)")
    parser.add_argument("--method", help="the preset's own when not given, e.g. ewc")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="figure-bench-"))
    recording = record_default_run(folder / "default.jsonl", args.preset, args.method)
    frames = recording.frames
    gif = folder / "run.gif"
    whole = [command_seconds(folder / "default.jsonl", gif) for _ in range(args.rounds)]
    shown = animate.pick(frames, animate.FPS)
    snaps = [frames[i].snapshot for i in shown]
    ratios = []
    with matplotlib.rc_context(animate.rc("light")):
        for _ in range(args.rounds):  # the stock writer and the blitting one, side by side
            stock = per_frame_ms(
                animate.Animation(snaps, "light", animate.SIZE, animate.DPI),
                PillowWriter(fps=animate.FPS),
                STOCK_FRAMES,
                folder / "s.gif",
            )
            movie = animate.Animation(snaps, "light", animate.SIZE, animate.DPI)
            blit = per_frame_ms(
                movie, animate.BlitWriter(movie, animate.FPS), len(snaps), folder / "b.gif"
            )
            ratios.append((stock, blit))
    formats = {}
    for suffix in static.FORMATS:
        started = time.perf_counter()
        last = frames[-1].snapshot
        paths = static.write(last, folder / f"fig{suffix}", static.kinds(last))
        formats[suffix] = (time.perf_counter() - started, [p.stat().st_size for p in paths])
    result = {
        "frames_recorded": len(frames),
        "recorded_seconds": frames[-1].t,
        "gif_frames": len(shown),
        "gif_bytes": gif.stat().st_size,
        "command_s": whole,
        "stock_ms_per_frame": [s for s, _ in ratios],
        "blit_ms_per_frame": [b for _, b in ratios],
        "figures": {k: {"seconds": s, "bytes": b} for k, (s, b) in formats.items()},
    }
    title = f"cftui figure, {args.preset} {args.method or ''} (2 busy cores)"
    table = Table("measure", "median", "all rounds", title=title)
    table.add_row("recording", f"{len(frames)} frames, {frames[-1].t:.1f} s", "")
    table.add_row("GIF 800x400", f"{len(shown)} frames, {gif.stat().st_size / 1e6:.2f} MB", "")
    table.add_row(
        "figure --only loss --gif, s",
        f"{statistics.median(whole):.2f}",
        " ".join(f"{s:.2f}" for s in whole),
    )
    stock, blit = ([r[i] for r in ratios] for i in (0, 1))
    table.add_row(
        "stock PillowWriter, ms/frame",
        f"{statistics.median(stock):.0f}",
        " ".join(f"{s:.0f}" for s in stock),
    )
    table.add_row(
        "blitting writer, ms/frame",
        f"{statistics.median(blit):.0f}",
        " ".join(f"{s:.0f}" for s in blit),
    )
    table.add_row("stock / blitting", f"{statistics.median(s / b for s, b in ratios):.1f}x", "")
    for suffix, (seconds, sizes) in formats.items():
        kb = " ".join(f"{size / 1e3:.0f}" for size in sizes)
        table.add_row(f"{len(sizes)} figures {suffix}, s (KB each)", f"{seconds:.2f}", kb)
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
