"""Running a sweep: the spec checked whole, the rows already there skipped, the rest
trained on a backend with a progress bar, each job's rows committed as it returns, and a
summary of what happened at the end.

The driver is the only process that writes the database; workers only train.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cftui.sweep import backends, spec
from cftui.sweep.store import Store


@dataclass
class Tally:
    """What one sweep did, in rows (one per run and seed)."""

    total: int  # rows in the whole grid
    skipped: int = 0  # already in the database (or written meanwhile by another sweep)
    finished: int = 0
    diverged: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return self.finished + self.diverged + self.failed

    errors: list[str] = field(default_factory=list)  # why jobs failed, one line each

    def add(self, result: backends.Result, written: list[bool]) -> None:
        """Count a job's rows; a row another sweep wrote first counts as skipped."""
        states = [o.state for o in result.outcomes] or ["failed"] * len(result.job.runs)
        for state, new in zip(states, written, strict=True):
            counter = state if new else "skipped"
            setattr(self, counter, getattr(self, counter) + 1)
        if result.error:
            self.errors.append(
                f"{result.job.preset} {result.job.method} {result.job.settings}: {result.error}"
            )


def default_db(spec_path: Path) -> Path:
    return spec_path.with_name("sweep.db")


def run(
    spec_path: Path,
    db_path: Path | None = None,
    backend: str = "local",
    workers: int = 1,
    address: str | None = None,
    console: Console | None = None,
) -> Tally:
    """Run every row of the spec that the database does not hold yet."""
    console = console or Console()
    grid = spec.jobs(spec.load(spec_path))
    db_path = db_path or default_db(spec_path)
    done = Store.results_in(db_path)
    todo = [job for job in grid if job.pending(done)]
    tally = Tally(total=sum(len(job.runs) for job in grid))
    tally.skipped = tally.total - sum(len(job.runs) for job in todo)  # the rest: on writing
    results = backends.start(backend, todo, workers, address)  # a cluster answers, or not
    store = Store(db_path)  # created only now: a refused sweep leaves no file behind
    try:
        clock = time.perf_counter()
        with _progress(console) as bar:
            task = bar.add_task("sweep", total=tally.total, completed=tally.skipped, rate="-")
            for result in results:
                tally.add(result, store.write(result))
                rate = tally.written / (time.perf_counter() - clock)
                bar.update(task, advance=len(result.job.runs), rate=f"{rate:.2f}")
        tally.seconds = time.perf_counter() - clock
    finally:
        store.close()
    return tally


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs · {task.fields[rate]} runs/s · ETA"),
        TimeRemainingColumn(),
        TextColumn("· elapsed"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    )


def summary(tally: Tally, db_path: Path) -> str:
    """One paragraph: what was written, skipped, diverged and failed, and how fast."""
    rate = f", {tally.written / tally.seconds:.2f} runs/s" if tally.written else ""
    return (
        f"{tally.total} runs in the grid · {tally.written} written to {db_path} "
        f"({tally.finished} finished, {tally.diverged} diverged, {tally.failed} failed) · "
        f"{tally.skipped} skipped (already there) · {tally.seconds:.1f} s{rate}"
    )
