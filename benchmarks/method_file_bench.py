"""A method from a file against the same method built in, and the app's reload (R).

1. Speed: steps/s of one seed on `polynomial` for `ewc` and for a file whose class is ewc's
   (so the only difference is the loader's shape checks around the hooks), alternately,
   several rounds; the median of each round's ratio (target >= 0.95x).
2. Reload: what R does, timed, on `polynomial`: load the file again, build a new runner (same
   data and initial weights), and train until its first snapshot with a step done (the new
   behaviour on screen); the median over rounds (target <= 2 s). No UI: the app's part is a
   repaint at 5 Hz at most.
Run: python benchmarks/method_file_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import torch

from cftui.live.runner import Runner
from cftui.train import catalog, methods
from cftui.train.trainer import Trainer

CODE = '''"""ewc, from a file."""
from cftui.train import methods
from cftui.train.methods.ewc import EWC


class EwcFile(EWC):
    settings = dict(methods.info("ewc").defaults)
'''


def steps_per_s(method: str) -> float:
    engine = Trainer(catalog.resolve("polynomial").with_overrides(method=method))
    started = time.perf_counter()
    snapshot = engine.run()
    return snapshot.step / (time.perf_counter() - started)


def reload_seconds(path: Path) -> float:
    """R: the file loaded again, a new runner, and its first trained step published."""
    started, shown = time.perf_counter(), threading.Event()
    name = methods.use_file(path)
    runner = Runner(catalog.resolve("polynomial").with_overrides(method=name))

    def publish(snap) -> None:
        if snap.step > 0:
            shown.set()
            runner.stop()

    runner.run(publish, until_done=True)
    assert shown.is_set()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    path = Path(tempfile.mkdtemp()) / "ewc_file.py"
    path.write_text(CODE)
    methods.use_file(path)
    ratios, reloads = [], []
    for _ in range(args.rounds):
        built_in, from_file = steps_per_s("ewc"), steps_per_s("ewc_file")
        ratios.append(from_file / built_in)
        reloads.append(reload_seconds(path))
        print(
            f"ewc {built_in:.0f} steps/s, from a file {from_file:.0f} ({ratios[-1]:.3f}x);"
            f" reload to a trained step {reloads[-1]:.2f} s"
        )
    print(
        f"median: from a file {statistics.median(ratios):.3f}x built in (target >= 0.95);"
        f" reload {statistics.median(reloads):.2f} s (target <= 2)"
    )


if __name__ == "__main__":
    main()
