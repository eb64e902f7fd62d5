"""Key latency in a real terminal (tmux), as a user sees it: from Space to the status line
saying "● paused", and again to "● running", at full pace, in the single view and side by
side. tmux's own delay is measured in the same run (a program that only answers Space) and
reported beside, so what is left is cftui's.

Other checkouts can be measured in the same run (--checkout DIR, repeatable; rounds
alternate between them), which is how the latency regression of issue 34 was bisected.
Run: python benchmarks/key_latency.py [--rounds 10] [--checkout ../old] (needs tmux)
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

SIZE = ("120", "40")
FULL_PACE = ("--pace", "full", "--epochs", "1000000")  # training never ends meanwhile
VIEWS = {"single view": (), "side by side": ("--compare", "naive,ewc,replay")}
ANSWERS_SPACE = """
import os, sys, tty
tty.setraw(0)
state = "running"
while True:
    os.write(1, f"\\x1b[H\\x1b[2K ● {state} · step 1\\r\\n".encode())
    key = os.read(0, 1)
    if key == b"q":
        break
    state = "paused" if state == "running" else "running"
"""


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def latencies(command: list[str], cwd: Path, presses: int) -> list[float]:
    """Milliseconds from each Space sent to its answer on the top row, in a tmux session."""
    session = f"key-latency-{os.getpid()}"
    line = f"cd {shlex.quote(str(cwd))} && {shlex.join(command)}"
    tmux("new-session", "-d", "-s", session, "-x", SIZE[0], "-y", SIZE[1], "bash", "-c", line)
    top = lambda: (tmux("capture-pane", "-p", "-t", session).splitlines() or [""])[0]  # noqa: E731
    try:
        started = time.perf_counter()
        while "step" not in top():
            if time.perf_counter() - started > 60:
                raise SystemExit(f"{shlex.join(command)} never showed a step in 60 s")
            time.sleep(0.1)
        time.sleep(2.0)  # past the first frames
        measured = []
        for press in range(presses):
            want = "● paused" if press % 2 == 0 else "● running"
            sent = time.perf_counter()
            tmux("send-keys", "-t", session, "Space")
            while want not in top():
                if time.perf_counter() - sent > 10:
                    raise SystemExit(f"no {want!r} 10 s after Space: {top()!r}")
            measured.append(1000 * (time.perf_counter() - sent))
            time.sleep(0.3)  # as a person presses: frames go on between keys
        return measured
    finally:
        tmux("kill-session", "-t", session)


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.0f} / {p95:.0f} / {values[0]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="Space presses per view: 2x this")
    parser.add_argument("--checkout", type=Path, action="append", default=[])
    args = parser.parse_args()
    if not shutil.which("tmux"):
        raise SystemExit("key_latency: needs tmux (apt-get install -y tmux)")
    here = Path(__file__).resolve().parents[1]
    checkouts = [here, *(path.resolve() for path in args.checkout)]
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as floor:
        floor.write(ANSWERS_SPACE)
    times: dict[tuple[str, Path], list[float]] = {}
    for _ in range(2):  # alternate, so that a change of load falls on every checkout
        for view, flags in VIEWS.items():
            for checkout in checkouts:
                command = [sys.executable, "-m", "cftui", *FULL_PACE, *flags]
                times.setdefault((view, checkout), []).extend(
                    latencies(command, checkout, args.rounds)
                )
    tmux_alone = latencies([sys.executable, floor.name], here, 2 * args.rounds)
    os.unlink(floor.name)
    size = "x".join(SIZE)
    table = Table(title=f"Space to the status line in tmux {size}, {os.cpu_count()} cores")
    for column in ("view", "checkout", "median / p95 / first (ms)", "target"):
        table.add_column(column)
    for (view, checkout), values in times.items():
        table.add_row(view, checkout.name, summary(values), "p95 <= 50")
    table.add_row("tmux alone", "", summary(tmux_alone), "")
    table.caption = f"load average {os.getloadavg()[0]:.1f} at the end"
    Console().print(table)


if __name__ == "__main__":
    main()
