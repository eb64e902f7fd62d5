"""cftui with its face on: training speed with the TUI live, frame cost, key latency,
terminal bytes and launch time, measured in one run on this machine.

Ratios are against a bare hand-written torch loop (same model, data, optimizer, batch)
timed in this process right before and after. The real-terminal numbers come from cftui
running in a pseudo-terminal of 120x40 whose output is parsed by pyte, a VT100 emulator.
Run: python benchmarks/tui_bench.py [--preset polynomial] [--seconds 8] [--rounds 5]
[--json OUT]  (--preset blobs-class: the 2-D classification and its decision regions;
--record-cost: only what `--record` costs the live view's training, in pairs of runs)
(needs: pip install pyte)
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import dataclasses
import fcntl
import json
import os
import platform
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import pyte
import torch
from rich.console import Console
from rich.table import Table

from cftui.train import catalog, threads
from cftui.train.config import Config

from trainer_vs_bare import bare_loop, paired  # this folder is on sys.path as a script

SIZE = (120, 40)
LONG = 1_000_000  # epochs per task: training never ends during a measurement


def preset_config(preset: str, epochs: int) -> Config:
    base = catalog.resolve(preset)
    return dataclasses.replace(base, train=dataclasses.replace(base.train, epochs=epochs))


def first_task_steps_per_epoch(preset: str) -> int:
    """The optimizer steps of an epoch of the preset's first task (1: full batch)."""
    from cftui.train import problem, run_state

    config = catalog.resolve(preset)
    first = problem.of(config).draw(config.data)[0]
    return run_state.steps_per_epoch(len(first.x_train), config.train.batch_size)


def bare_rate(seconds: float, preset: str) -> float:
    """Steps per second of the bare loop, run for about ``seconds``, on the threads the
    TUI's worker uses (cftui.train.threads)."""
    config = preset_config(preset, max(50, int(seconds * 150)))
    threads.apply(config, 1)
    return bare_loop(config)


def die_with_parent() -> None:
    """In the child: end when the benchmark does, however it ends (a timeout's SIGTERM, a
    SIGKILL). A cftui left behind at full pace ate a core of a shared machine for minutes:
    its pty is not its controlling terminal, so no hang-up reaches it."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Terminal:
    """cftui in a pseudo-terminal: keys in, a pyte screen out, every byte counted."""

    def __init__(self, *flags: str, per_epoch: int = 1) -> None:
        """cftui run with ``flags``; ``per_epoch``: the optimizer steps of an epoch of task 1,
        to count steps where the status line shows only the epoch."""
        self.per_epoch = per_epoch
        master, slave = os.openpty()
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": str(SIZE[0]),
            "LINES": str(SIZE[1]),
        }
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cftui", *flags],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        os.close(slave)
        self.fd = master
        self.screen = pyte.Screen(*SIZE)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes = 0

    def pump(self, seconds: float, parse: bool = True) -> None:
        """Read what cftui writes for ``seconds``; with ``parse`` off, the emulator (slow
        Python) catches up only afterwards, so it does not compete with cftui for a core."""
        deadline = time.perf_counter() + seconds
        unread = []
        while (left := deadline - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 1 << 16)
                except OSError:
                    break
                self.bytes += len(data)
                unread.append(data) if not parse else self.stream.feed(data)
        for data in unread:
            self.stream.feed(data)

    def status(self) -> str:
        return self.screen.display[0]

    def wait_for(self, pattern: str, timeout: float = 30.0) -> float:
        """Seconds until the status line matches ``pattern``."""
        started = time.perf_counter()
        while not re.search(pattern, self.status()):
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"no {pattern!r} on the status line: {self.status()!r}")
            self.pump(0.002)
        return time.perf_counter() - started

    def step(self) -> int:
        """The step on the status line; where it shows the epoch only (a 2-D preset's line
        is full), the epoch times an epoch's steps in task 1, which the measurements (LONG
        epochs a task) never leave (digits' minibatches: 9 steps an epoch)."""
        status = self.status()
        if shown := re.search(r"step (\d+)", status):
            return int(shown.group(1))
        return int(re.search(r"ep (\d+)/", status).group(1)) * self.per_epoch

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def close(self) -> None:
        self.send(b"q")
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self.fd)


def scheduled(pid: int) -> dict[str, tuple[int, int]]:
    """Per thread of ``pid``: nanoseconds on a CPU and nanoseconds runnable but waiting for
    one (Linux schedstat). On a shared machine the wait, not the app, can halve the ratio."""
    times = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            on_cpu, waiting, _ = Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()
        except OSError:
            continue  # the thread ended
        times[tid] = (int(on_cpu), int(waiting))
    return times


def trainer_time(before: dict, after: dict, seconds: float) -> dict:
    """Shares of ``seconds`` the busiest thread (the trainer) spent on a CPU, waiting for a CPU
    (other processes: machine load) and neither (blocked: the GIL held by the UI thread)."""
    tid = max(after, key=lambda t: after[t][0] - before.get(t, (0, 0))[0])
    on_cpu, waiting = (
        (now - then) / 1e9 / seconds
        for now, then in zip(after[tid], before.get(tid, (0, 0)), strict=True)
    )
    return {
        "trainer_on_cpu": on_cpu,
        "trainer_waiting_for_cpu": waiting,
        "trainer_blocked": 1 - on_cpu - waiting,
    }


def full_pace(seconds: float, first: bool, preset: str, *flags: str) -> dict:
    """One run of `cftui --pace full` (and ``flags``) in the pty: steps/s over ``seconds``
    and where the training thread spent that time; the first run also times the launch and
    the keys."""
    results = {}
    per_epoch = first_task_steps_per_epoch(preset)
    full = Terminal(
        "--preset", preset, "--pace", "full", "--epochs", str(LONG), *flags, per_epoch=per_epoch
    )
    full.wait_for("● ")
    results["launch_s"] = time.perf_counter() - full.started
    full.wait_for(r"(step|ep) \d+")
    results["training_shown_s"] = time.perf_counter() - full.started
    full.pump(1.0)
    s0, t0, times = full.step(), time.perf_counter(), scheduled(full.process.pid)
    full.pump(seconds, parse=False)
    elapsed = time.perf_counter() - t0
    results["pty_steps_per_s"] = (full.step() - s0) / elapsed
    results |= trainer_time(times, scheduled(full.process.pid), elapsed)
    if first:
        results["key_latency_ms"] = key_latencies(full)
    full.close()
    return results


def real_terminal(seconds: float, rounds: int, preset: str) -> dict:
    """``rounds`` full-pace runs, each between two bare-loop timings (the machine's load
    moves both), reported as the median ratio and its range; then the bytes a watched run
    sends at the default pace."""
    bare = [bare_rate(2.0, preset)]
    runs = []
    for k in range(rounds):
        runs.append(full_pace(seconds, k == 0, preset))
        bare.append(bare_rate(2.0, preset))
    around = zip(runs, bare, bare[1:], strict=False)  # each run between two bare timings
    ratios = [run["pty_steps_per_s"] / ((a + b) / 2) for run, a, b in around]
    results = {**runs[0], "pty_ratios": ratios, "pty_ratio": statistics.median(ratios)}
    for key in ("pty_steps_per_s", "trainer_on_cpu", "trainer_waiting_for_cpu", "trainer_blocked"):
        results[key] = statistics.median(run[key] for run in runs)
    results["bare_steps_per_s"] = statistics.median(bare)
    watch = Terminal("--preset", preset)
    watch.wait_for(r"(step|ep) \d+")
    watch.pump(2.0)
    b0, t0 = watch.bytes, time.perf_counter()
    watch.pump(seconds, parse=False)
    results["bytes_per_s"] = (watch.bytes - b0) / (time.perf_counter() - t0)
    watch.close()
    return results


def recording_cost(seconds: float, rounds: int, preset: str, folder: Path) -> dict:
    """What `--record` costs the live view: ``rounds`` pairs of full-pace runs in the pty,
    without and with `--record FILE.jsonl.gz` (which goes first alternates, for the machine's
    load to fall on both alike), as the ratio of their steps/s; and a recorded frame's own
    cost (the recorder runs in the training thread, at PUBLISH_HZ), timed in this process on
    a run's snapshots."""
    from cftui.live.runner import PUBLISH_HZ, Runner
    from cftui.results.record import Recorder

    ratios = []
    for k in range(rounds):
        recorded = ("--record", str(folder / f"cost{k}.jsonl.gz"))
        order = [(), recorded] if k % 2 == 0 else [recorded, ()]
        rate = {flags: full_pace(seconds, False, preset, *flags) for flags in order}
        ratios.append(rate[recorded]["pty_steps_per_s"] / rate[()]["pty_steps_per_s"])
    snaps = []
    Runner(preset_config(preset, 40)).run(snaps.append)
    costs = []
    with Recorder(folder / "frames.jsonl.gz") as recorder:
        for snap in snaps:
            started = time.perf_counter()
            recorder(snap)
            costs.append(1000 * (time.perf_counter() - started))
    per_frame = statistics.median(costs)
    return {
        "recorded_vs_not": ratios,
        "recorded_ratio": statistics.median(ratios),
        "record_ms_per_frame": per_frame,
        "record_share_of_training": per_frame * PUBLISH_HZ / 1000,
    }


def print_recording_cost(preset: str, cost: dict) -> None:
    table = Table(title=f"--record on {preset}: the live view's training speed")
    for column in ("measure", "value", "target"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    low, high = min(cost["recorded_vs_not"]), max(cost["recorded_vs_not"])
    table.add_row(
        f"steps/s recorded / not, real terminal, median of {len(cost['recorded_vs_not'])} pairs",
        f"{cost['recorded_ratio']:.3f} ({low:.2f}–{high:.2f})",
        ">= 0.95",
    )
    table.add_row(
        "a recorded frame, ms (its share of the training thread's time)",
        f"{cost['record_ms_per_frame']:.2f} ({100 * cost['record_share_of_training']:.2f} %)",
        "",
    )
    Console().print(table)


async def headless(seconds: float, preset: str) -> dict:
    """The app under Textual's test driver at 120x40: speed, and the cost of a frame."""
    from cftui.tui.app import CftuiApp

    app = CftuiApp(preset_config(preset, LONG), "cpu", pace=None)
    seen = []
    draw = app.draw
    app.draw = lambda snap: (seen.append(snap), draw(snap))[1]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.0)
        s0, t0 = app.source.trainers[0].now.step, time.perf_counter()
        await asyncio.sleep(seconds)
        rate = (app.source.trainers[0].now.step - s0) / (time.perf_counter() - t0)
        app.source.stop()
        await pilot.pause(0.2)
        frames = frame_costs(app, draw, seen[-60:])
    return {"headless_steps_per_s": rate, "frame_ms": frames}


def frame_costs(app, draw, snapshots) -> list[float]:
    """Milliseconds to draw each snapshot and render the whole screen, sorted."""
    frames = []
    compositor = app.screen._compositor
    for snap in snapshots:
        started = time.perf_counter()
        draw(snap)
        compositor.render_update(full=True)
        frames.append(1000 * (time.perf_counter() - started))
    return sorted(frames)


def key_latencies(terminal: Terminal, rounds: int = 15) -> list[float]:
    """Milliseconds from space to the status line saying paused, and again to running."""
    latencies = []
    for _ in range(rounds):
        terminal.send(b" ")
        latencies.append(terminal.wait_for("● paused"))
        terminal.send(b" ")
        latencies.append(terminal.wait_for("● running"))
        terminal.pump(0.2)
    return sorted(1000 * x for x in latencies)


def add_screen_rows(table: Table, frames, keys, bytes_per_s: float, frame_target: str) -> None:
    """The rows about the screen: a frame's cost, key latency, terminal bytes."""
    table.add_row(
        "frame at 120x40: median / p95 (ms)",
        f"{statistics.median(frames):.1f} / {percentile(frames, 0.95):.1f}",
        "",
        frame_target,
    )
    table.add_row(
        "key to screen at full pace: median / p95 (ms)",
        f"{statistics.median(keys):.0f} / {percentile(keys, 0.95):.0f}",
        "",
        "<= 50 p95",
    )
    table.add_row(
        "terminal bytes at the default pace (KB/s)", f"{bytes_per_s / 1024:.1f}", "", "<= 50"
    )


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=5, help="full-pace runs in the pty")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--preset", default="polynomial", help="trained (default: %(default)s)")
    parser.add_argument(
        "--record-cost", action="store_true", help="only what --record costs the live view"
    )
    args = parser.parse_args()
    preset = args.preset
    threads.apply(preset_config(preset, 200), 1)  # as the app's worker: cftui's thread rule
    if args.record_cost:
        with tempfile.TemporaryDirectory() as folder:
            cost = recording_cost(args.seconds, args.rounds, preset, Path(folder))
        print_recording_cost(preset, cost)
        if args.json:
            args.json.write_text(json.dumps(cost, indent=2) + "\n")
        return
    trainer = paired(preset_config(preset, 200), rounds=7)
    bare_before = bare_rate(2.0, preset)
    live = asyncio.run(headless(args.seconds, preset))
    bare_headless = (bare_before + bare_rate(2.0, preset)) / 2
    pty = real_terminal(args.seconds, args.rounds, preset)
    frames, keys = live["frame_ms"], pty["key_latency_ms"]
    rows = [
        (
            "trainer, headless (steps/s vs bare)",
            trainer["trainer_steps_per_s"],
            trainer["bare_steps_per_s"],
            ">= 0.95",
        ),
        (
            "TUI live, headless 120x40 (steps/s vs bare)",
            live["headless_steps_per_s"],
            bare_headless,
            ">= 0.8",
        ),
    ]
    table = Table(
        title=f"cftui with the TUI live on {preset} ({os.cpu_count()} cores, torch "
        f"{torch.__version__})"
    )
    for column in ("measure", "value", "ratio", "target"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, ours, bare, target in rows:
        table.add_row(name, f"{ours:.0f} / {bare:.0f}", f"{ours / bare:.2f}x", target)
    low, high = min(pty["pty_ratios"]), max(pty["pty_ratios"])
    table.add_row(
        f"TUI live, real terminal 120x40: median of {args.rounds} runs (steps/s vs bare)",
        f"{pty['pty_steps_per_s']:.0f} / {pty['bare_steps_per_s']:.0f}",
        f"{pty['pty_ratio']:.2f}x ({low:.2f}–{high:.2f})",
        ">= 0.85",
    )
    add_screen_rows(table, frames, keys, pty["bytes_per_s"], frame_target="<= 10 median")
    table.add_row(
        "real terminal: trainer on a CPU / waiting for one / blocked (median share of time)",
        " / ".join(
            f"{pty[k]:.2f}"
            for k in ("trainer_on_cpu", "trainer_waiting_for_cpu", "trainer_blocked")
        ),
        "",
        "waiting > 0.1: machine load",
    )
    table.add_row("launch to first frame (s)", f"{pty['launch_s']:.2f}", "", "<= 3")
    table.add_row("launch to training on screen (s)", f"{pty['training_shown_s']:.2f}", "", "")
    Console().print(table)
    if args.json:
        machine = {
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "torch": torch.__version__,
        }
        report = {
            "machine": machine,
            "trainer": trainer,
            **live,
            **pty,
            "bare_headless": bare_headless,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
