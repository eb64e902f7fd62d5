"""A sweep's results: one SQLite row per (run, seed), written by the driver alone.

Each job's rows are committed the moment it returns (WAL mode), so a sweep killed at any
point keeps every row it had finished, and running it again trains only what is missing.
The key is the run's hash (spec.run_key): a second sweep of the same spec, even one running
at the same time into the same file, can only skip a row or fill it, never add a duplicate.
A failed row (the job raised) is tried again; finished and diverged rows are results.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from cftui import __version__
from cftui.results.summary import Outcome, mean_forgetting
from cftui.sweep.backends import Result
from cftui.train import metrics
from cftui.train.validation import ConfigError

BUSY_TIMEOUT_S = 60.0  # how long a write waits for another sweep's write to the same file
FAILED = "failed"
TYPES = {
    "key": "TEXT PRIMARY KEY",  # spec.run_key: the resolved config with this seed, the version
    "preset": "TEXT NOT NULL",
    "method": "TEXT NOT NULL",
    "settings": "TEXT NOT NULL",  # the grid's settings of the method, as JSON
    "seed": "INTEGER NOT NULL",
    "state": "TEXT NOT NULL CHECK (state IN ('finished', 'diverged', 'failed'))",
    "message": "TEXT",  # where it diverged, or why it failed
    "loss_matrix": "TEXT",  # JSON: L[i][j], the test MSE on task j after training task i
    "task1_mse": "REAL",  # memory: task 1's final test MSE
    "last_mse": "REAL",  # plasticity: the last task's final test MSE
    "forgetting": "REAL",  # mean forgetting over the tasks before the last
    "bwt": "REAL",
    "seconds": "REAL",  # this seed's share of the time its job's seeds trained together
    "host": "TEXT",
    "started": "TEXT",  # the job's start and end in the worker, UTC
    "finished": "TEXT",
    "version": "TEXT",  # cftui's
}
COLUMNS = tuple(TYPES)
SCHEMA = f"CREATE TABLE IF NOT EXISTS runs ({', '.join(f'{c} {t}' for c, t in TYPES.items())})"
UPSERT = (
    f"INSERT INTO runs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
    f"ON CONFLICT(key) DO UPDATE SET "
    f"{', '.join(f'{c} = excluded.{c}' for c in COLUMNS[1:])} WHERE runs.state = '{FAILED}'"
)


class Store:
    """The results file. ``create=False`` (for reading) refuses a file that is not there."""

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        if not create and not path.is_file():
            raise ConfigError(str(path), "", "no such sweep database (run cftui sweep SPEC first)")
        if not path.parent.is_dir():
            raise ConfigError(str(path), "", f"folder {path.parent} does not exist")
        try:
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute(SCHEMA)
        except sqlite3.DatabaseError as err:
            raise ConfigError(str(path), "", f"not a sweep database: {err}") from None

    @classmethod
    def results_in(cls, path: Path) -> set[str]:
        """:meth:`done` of the file at ``path``, if there is one; none is created (a
        missing folder is said here, before anything starts)."""
        if not path.exists():
            if not path.parent.is_dir():
                raise ConfigError(str(path), "", f"folder {path.parent} does not exist")
            return set()
        store = cls(path, create=False)
        try:
            return store.done()
        finally:
            store.close()

    def close(self) -> None:
        self.db.close()

    def done(self) -> set[str]:
        """Keys of the rows that hold a result (finished or diverged)."""
        rows = self.db.execute("SELECT key FROM runs WHERE state != ?", (FAILED,))
        return {key for (key,) in rows}

    def write(self, result: Result) -> list[bool]:
        """Commit a job's rows at once; for each, whether it was written (new, or in place
        of a failed one) rather than found there already."""
        rows = [_row(result, run.key, run.seed, i) for i, run in enumerate(result.job.runs)]
        with self.db:  # one transaction
            self.db.execute("BEGIN IMMEDIATE")
            return [self.db.execute(UPSERT, row).rowcount == 1 for row in rows]

    def rows(self, preset: str | None = None) -> list[dict[str, Any]]:
        """Every row (of one preset), settings and loss matrix read back from JSON."""
        where, args = ("WHERE preset = ?", (preset,)) if preset else ("", ())
        query = f"SELECT * FROM runs {where} ORDER BY preset, method, settings, seed"
        found = [dict(row) for row in self.db.execute(query, args)]
        for row in found:
            row["settings"] = json.loads(row["settings"])
            row["loss_matrix"] = json.loads(row["loss_matrix"] or "null")
        return found

    def presets(self) -> list[str]:
        return [name for (name,) in self.db.execute("SELECT DISTINCT preset FROM runs")]


def _row(result: Result, key: str, seed: int, index: int) -> tuple:
    job = result.job
    outcome: Outcome | None = result.outcomes[index] if result.outcomes else None
    state = outcome.state if outcome else FAILED
    matrix = outcome.loss_matrix if outcome else None
    complete = state == "finished"
    message = str(outcome.failure) if outcome and outcome.failure else result.error
    return (
        key,
        job.preset,
        job.method,
        json.dumps(job.settings, sort_keys=True),
        seed,
        state,
        message or None,
        json.dumps(matrix) if matrix is not None else None,
        matrix[-1][0] if complete else None,
        matrix[-1][-1] if complete else None,
        _finite(mean_forgetting(matrix)) if complete else None,
        metrics.backward_transfer(matrix) if complete else None,
        outcome.seconds if outcome else None,
        result.host,
        result.started,
        result.finished,
        __version__,
    )


def _finite(value: float) -> float | None:
    return value if value == value else None  # nan (one task: nothing to forget) -> NULL
