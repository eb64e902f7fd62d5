"""Shared pieces of the sweep tests: a tiny preset beside a spec, and `cftui sweep` run
in-process or as a subprocess, with the sweep command registered even before cli.py lists
it (the same registration cli.py does)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cftui import cli
from cftui.results.summary import Outcome
from cftui.sweep import backends, driver, spec
from cftui.sweep.store import Store
from cftui.train.validation import ConfigError

SWEEP_MODULE = "cftui.commands.sweep"
TINY_PRESET = """
name = "tiny"
[data]
family = "polynomial"
points_per_task = 40
[model]
layers = [1, {width}, {width}, 1]
[train]
epochs = {epochs}
"""
CLI = (
    "import sys; from cftui import cli; "
    f"cli.COMMAND_MODULES = tuple(dict.fromkeys((*cli.COMMAND_MODULES, {SWEEP_MODULE!r}))); "
    "sys.exit(cli.main())"
)


def write_spec(folder: Path, body: str, epochs: int = 20, width: int = 16) -> Path:
    """A spec over the tiny preset (a path beside it), unless ``body`` names its presets."""
    (folder / "tiny.toml").write_text(TINY_PRESET.format(epochs=epochs, width=width))
    spec = folder / "spec.toml"
    spec.write_text(body if "presets" in body else f'presets = ["tiny.toml"]\n{body}')
    return spec


def main(monkeypatch, *argv: str) -> int:
    """`cftui ARGV` in this process."""
    modules = tuple(dict.fromkeys((*cli.COMMAND_MODULES, SWEEP_MODULE)))
    monkeypatch.setattr(cli, "COMMAND_MODULES", modules)
    return cli.main([str(a) for a in argv])


def start(*argv: str, **popen) -> subprocess.Popen:
    """`cftui ARGV` as a subprocess of its own (a process group, to clean up after it)."""
    command = [sys.executable, "-c", CLI, *map(str, argv)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )


def rows(db: Path) -> list[dict]:
    with sqlite3.connect(db, timeout=30) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(r) for r in connection.execute("SELECT * FROM runs ORDER BY key")]


def wait_for_rows(db: Path, count: int, timeout: float) -> int:
    """Poll the database until it holds ``count`` rows; how many it holds at the end."""
    deadline, found = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        if db.exists():
            try:
                found = len(rows(db))
            except sqlite3.OperationalError:  # the table is not created yet
                found = 0
            if found >= count:
                return found
        time.sleep(0.05)
    return found


# -- the spec ----------------------------------------------------------------------------

GRID = """seeds = 2
epochs = 7
[grid.naive]
[grid.ewc]
lambda = [10, 1e3]
[grid.si]
c = [0.1, 1.0]
xi = [0.1, 0.2]
"""


def test_a_spec_is_the_product_of_each_methods_settings_with_every_seed(tmp_path):
    jobs = spec.jobs(spec.load(write_spec(tmp_path, GRID)))
    settings = [(job.method, job.settings) for job in jobs]
    assert settings == [
        ("naive", {}),
        ("ewc", {"lambda": 10.0}),
        ("ewc", {"lambda": 1000.0}),
        ("si", {"c": 0.1, "xi": 0.1}),
        ("si", {"c": 0.1, "xi": 0.2}),
        ("si", {"c": 1.0, "xi": 0.1}),
        ("si", {"c": 1.0, "xi": 0.2}),
    ]
    assert all(job.seeds == [0, 1] and job.preset == "tiny" for job in jobs)
    ewc = jobs[2].config
    assert ewc["method"] == {
        "name": "ewc",
        "lambda": 1000.0,
        "empirical_fisher": False,
        "silent_floor": 0.0,
    }
    assert ewc["train"]["epochs"] == 7  # the spec's override
    keys = [run.key for job in jobs for run in job.runs]
    assert len(set(keys)) == 14  # one per setting and seed


def test_a_rows_key_follows_everything_that_decides_the_run(tmp_path, monkeypatch):
    path = write_spec(tmp_path, GRID)
    keys = [run.key for job in spec.jobs(spec.load(path)) for run in job.runs]
    assert keys == [run.key for job in spec.jobs(spec.load(path)) for run in job.runs]
    path.write_text(path.read_text().replace("epochs = 7", "epochs = 8"))
    longer = {run.key for job in spec.jobs(spec.load(path)) for run in job.runs}
    assert longer.isdisjoint(keys)
    monkeypatch.setattr(spec, "__version__", "99.0")
    assert {run.key for job in spec.jobs(spec.load(path)) for run in job.runs}.isdisjoint(longer)


def test_a_seed_list_and_a_preset_named_twice(tmp_path):
    body = 'presets = ["tiny.toml", "tiny.toml"]\nseeds = [3, 5]\n[grid.naive]\n'
    path = write_spec(tmp_path, body)
    jobs = spec.jobs(spec.load(path))
    assert [job.seeds for job in jobs] == [[3, 5]]  # the second "tiny.toml" adds nothing


BAD_SPECS = [
    ('presets = ["nope"]\n[grid.naive]\n', "presets[0]: 'nope': no such preset"),
    ("[grid.ewcc]\n", "[grid.ewcc]: unknown 'ewcc' (did you mean 'ewc'?)"),
    ("[grid.ewc]\nlamda = [1.0]\n", "[grid.ewc] lamda: unknown key; did you mean 'lambda'?"),
    ('[grid.ewc]\nlambda = ["big"]\n', "[grid.ewc] lambda: must be a number, got a string"),
    ("[grid.ewc]\nlambda = [-1.0]\n", "[grid.ewc] lambda: must be 0..1e+12, got -1.0"),
    ("[grid.ewc]\nlambda = 5.0\n", "[grid.ewc] lambda: must be a non-empty list"),
    ("[grid.ewc]\nlambda = []\n", "[grid.ewc] lambda: must be a non-empty list"),
    ("seeds = 2\n", "grid: must name at least one method"),
    ("[grid]\n", "grid: must name at least one method"),
    ("seeds = 0\n[grid.naive]\n", "seeds: must be 1..4096"),
    ('seeds = "all"\n[grid.naive]\n', "seeds: must be a count"),
    ("seeds = [1, 1]\n[grid.naive]\n", "seeds: must be distinct seeds >= 0"),
    ("epochs = 0\n[grid.naive]\n", "epochs: must be 1..1000000, got 0"),
    ("epochs = 2.5\n[grid.naive]\n", "epochs: must be an integer, got float (2.5)"),
    ("seed = 3\n[grid.naive]\n", "seed: unknown key; did you mean 'seeds'?"),
    ("[grid.naive\n", "TOML syntax error"),
]


@pytest.mark.parametrize(("body", "problem"), BAD_SPECS)
def test_a_bad_spec_names_the_file_and_the_key(tmp_path, body, problem):
    path = write_spec(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        spec.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)


# -- the store and the driver -------------------------------------------------------------


def outcome(seed: int, matrix, state: str = "finished") -> Outcome:
    return Outcome("ewc", seed, matrix, 0.5, state)


def job_of(tmp_path) -> spec.Job:
    return spec.jobs(spec.load(write_spec(tmp_path, "seeds = 2\n[grid.ewc]\nlambda = [1.0]\n")))[0]


def test_a_row_holds_the_runs_numbers_and_a_result_is_never_written_twice(tmp_path):
    job = job_of(tmp_path)
    store = Store(tmp_path / "s.db")
    matrix = [[0.1, 2.0], [0.7, 0.2]]
    result = backends.Result(job, [outcome(0, matrix), outcome(1, matrix)], host="h")
    assert store.write(result) == [True, True]
    assert store.write(result) == [False, False]  # the same rows again: skipped
    row = store.rows()[0]
    assert row["loss_matrix"] == matrix and row["state"] == "finished"
    assert (row["task1_mse"], row["last_mse"]) == (0.7, 0.2)
    assert row["forgetting"] == pytest.approx(0.6)  # 0.7 - min(0.1)
    assert row["bwt"] == pytest.approx(-0.6)
    assert row["settings"] == {"lambda": 1.0} and row["host"] == "h"
    assert store.done() == {run.key for run in job.runs}
    store.close()


def test_a_failed_row_is_tried_again_and_a_result_is_never_replaced(tmp_path):
    job = job_of(tmp_path)
    store = Store(tmp_path / "s.db")
    assert store.write(backends.Result(job, error="ValueError: boom")) == [True, True]
    assert store.done() == set()  # a failed row is not a result: the next sweep retries it
    assert store.rows()[0]["message"] == "ValueError: boom"
    matrix = [[0.1, 2.0], [0.7, 0.2]]
    fixed = backends.Result(job, [outcome(0, matrix), outcome(1, matrix, "diverged")])
    assert store.write(fixed) == [True, True]
    assert [r["state"] for r in store.rows()] == ["finished", "diverged"]
    assert store.write(backends.Result(job, error="again")) == [False, False]
    assert [r["state"] for r in store.rows()] == ["finished", "diverged"]
    store.close()


def test_a_file_that_is_not_a_database_is_bad_input(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not sqlite " * 100)
    with pytest.raises(ConfigError, match="not a sweep database"):
        Store(path)
    with pytest.raises(ConfigError, match="no such sweep database"):
        Store(tmp_path / "missing.db", create=False)


@pytest.mark.timeout(120)
def test_a_sweep_run_again_trains_only_the_missing_rows_to_the_same_numbers(tmp_path, monkeypatch):
    path = write_spec(tmp_path, "seeds = 2\n[grid.naive]\n[grid.l2]\nlambda = [0.1, 1.0]\n")
    first = driver.run(path, workers=2)
    assert (first.total, first.finished, first.skipped) == (6, 6, 0)
    db = driver.default_db(path)
    assert db == tmp_path / "sweep.db"
    before = rows(db)
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM runs WHERE method = 'l2' AND seed = 1")
    trained = []
    real_start = backends.start

    def spy(backend, jobs, *args):
        trained.extend((job.method, job.settings) for job in jobs)
        return real_start(backend, jobs, *args)

    monkeypatch.setattr(backends, "start", spy)
    again = driver.run(path, workers=2)
    assert trained == [("l2", {"lambda": 0.1}), ("l2", {"lambda": 1.0})]  # naive: all there
    assert (again.finished, again.skipped, again.failed) == (2, 4, 0)
    after = rows(db)
    numbers = ("key", "loss_matrix", "task1_mse", "last_mse", "forgetting", "bwt")
    assert [[r[k] for k in numbers] for r in after] == [[r[k] for k in numbers] for r in before]
    assert driver.run(path, workers=2).skipped == 6
