"""Record and replay, measured: the size of a default `polynomial` recording (raw and .gz),
how long reading it back takes, and the cost of drawing a replayed frame against a live one
with the same widgets at 120x40.

The run is the app's default: 200 epochs a task at one task in 10 s (20 s in all), published
at runner.PUBLISH_HZ. --fast plays it 10x faster with 10x the publish rate: the same frames
per epoch, so about the same file, in 2 s.
Run: python benchmarks/replay_bench.py [--fast] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cftui.live import runner as runner_module
from cftui.live.pacing import default_pace
from cftui.live.runner import Runner
from cftui.results import record
from cftui.results.recording import Recording, read
from cftui.train import catalog
from cftui.tui.replay import ReplayApp

SIZE = (120, 40)


def record_default_run(folder: Path, speedup: int) -> tuple[list, dict]:
    """The default polynomial run recorded raw and gzipped at once; the live snapshots."""
    config = catalog.resolve("polynomial")
    runner_module.PUBLISH_HZ *= speedup
    live, paths = [], {"raw": folder / "run.jsonl", "gz": folder / "run.jsonl.gz"}
    with record.Recorder(paths["raw"]) as raw, record.Recorder(paths["gz"]) as packed:
        engine = Runner(config, pace=default_pace(config) * speedup)
        engine.run(raw.around(packed.around(live.append)))
    runner_module.PUBLISH_HZ //= speedup
    started = time.perf_counter()
    recording = read(paths["raw"])
    sizes = {name: path.stat().st_size for name, path in paths.items()}
    sizes["read_s"] = time.perf_counter() - started
    sizes["gz_of_raw"] = len(gzip.compress(paths["raw"].read_bytes()))
    return live, {**sizes, "frames": len(live), "recording": recording}


async def frame_costs(live: list, recording: Recording) -> dict[str, list[float]]:
    """Milliseconds to draw each snapshot and render the screen, live frames then replayed
    ones, in one app (a paused replay, so nothing else draws meanwhile)."""
    app = ReplayApp(recording, paused=True)
    costs = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        compositor = app.screen._compositor
        for name, snaps in [("live", live), ("replay", [f.snapshot for f in recording.frames])]:
            costs[name] = []
            for snap in snaps:
                started = time.perf_counter()
                app.draw(snap)
                compositor.render_update(full=True)
                costs[name].append(1000 * (time.perf_counter() - started))
        await pilot.press("q")
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="10x pace and publish rate")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        live, sizes = record_default_run(Path(folder), 10 if args.fast else 1)
    costs = asyncio.run(frame_costs(live, sizes.pop("recording")))
    table = Table("measure", "value", "target", title="record and replay (default polynomial)")
    table.add_row("frames recorded", str(sizes["frames"]), "")
    table.add_row("recording, raw", f"{sizes['raw'] / 1e3:.0f} KB", "<= 1000 KB")
    table.add_row("recording, .gz (flushed per frame)", f"{sizes['gz'] / 1e3:.0f} KB", "")
    table.add_row("raw gzipped in one go", f"{sizes['gz_of_raw'] / 1e3:.0f} KB", "")
    table.add_row("read back", f"{sizes['read_s'] * 1000:.0f} ms", "")
    summary = {}
    for name, ms in costs.items():
        ms.sort()
        summary[name] = (statistics.median(ms), ms[round(0.95 * (len(ms) - 1))])
        median, p95 = summary[name]
        table.add_row(f"frame at 120x40, {name}: median / p95", f"{median:.1f} / {p95:.1f} ms", "")
    ratio = summary["replay"][0] / summary["live"][0]
    table.add_row("replay / live, median", f"{ratio:.2f}", "≈ 1")
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps({**sizes, "frame_ms": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
