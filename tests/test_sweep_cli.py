"""`cftui sweep` as a user meets it: bad input is one line and exit 2, a sweep killed with
SIGKILL resumes to the complete grid, two sweeps into one file do not corrupt it, and
`sweep show` charts, tabulates and exports what is there."""

import csv
import os
import signal
import sqlite3
import time

import pytest
from processes import alive, children
from test_sweep import main, rows, start, wait_for_rows, write_spec

from cftui.draw.axes import log_ticks
from cftui.results.summary import Outcome
from cftui.sweep import backends, driver, show, spec
from cftui.sweep.store import COLUMNS, Store

WAIT_S = 180  # a subprocess sweep on two shared cores: torch loads in every process


def finish(process, timeout: float = WAIT_S) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@pytest.mark.timeout(400)
def test_a_sweep_killed_with_sigkill_resumes_to_the_whole_grid(tmp_path):
    lambdas = ", ".join(str(0.1 * k) for k in range(1, 13))
    path = write_spec(tmp_path, f"seeds = 2\n[grid.l2]\nlambda = [{lambdas}]\n", epochs=150)
    db, total = tmp_path / "sweep.db", 24
    first = start("sweep", path, "--workers", "1", start_new_session=True)
    try:
        assert wait_for_rows(db, 1, WAIT_S) >= 1, first.stderr.read() if first.poll() else ""
        workers = children(first.pid)
        first.kill()  # SIGKILL: no cleanup, no last commit
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    before = rows(db)
    assert 1 <= len(before) < total
    assert workers, "the pool worker was not found"
    deadline = time.monotonic() + 15  # the orphaned pool worker leaves by itself
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(alive, workers))
    code, out, err = finish(start("sweep", path, "--workers", "2"))
    assert code == 0, err
    assert f"{len(before)} skipped" in out
    after = rows(db)
    assert len(after) == total and len({row["key"] for row in after}) == total
    expected = {run.key for job in spec.jobs(spec.load(path)) for run in job.runs}
    assert {row["key"] for row in after} == expected
    assert all(row["state"] == "finished" for row in after)
    kept = {row["key"]: row for row in after}
    assert all(kept[row["key"]] == row for row in before)  # every earlier row unchanged


@pytest.mark.timeout(400)
def test_two_sweeps_of_one_spec_into_one_file_neither_corrupt_nor_duplicate(tmp_path):
    path = write_spec(tmp_path, "seeds = 2\n[grid.naive]\n[grid.l2]\nlambda = [0.1, 1.0, 3.0]\n")
    both = [start("sweep", path, "--workers", "1") for _ in range(2)]
    results = [finish(process) for process in both]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    db = driver.default_db(path)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        keys = [key for (key,) in connection.execute("SELECT key FROM runs")]
    assert len(keys) == len(set(keys)) == 8
    assert all(row["state"] == "finished" for row in rows(db))
    assert "8 runs in the grid" in results[0][1]


def test_a_bad_spec_is_one_line_naming_file_and_key_and_nothing_runs(tmp_path, monkeypatch, capsys):
    path = write_spec(tmp_path, "[grid.ewc]\nlambda = [1e3, -5.0]\n")
    assert main(monkeypatch, "sweep", path) == 2
    assert capsys.readouterr().err == (
        f"cftui: error: {path}: [grid.ewc] lambda: must be 0..1e+12, got -5.0\n"
    )
    assert not driver.default_db(path).exists()


def exit_code(monkeypatch, *argv) -> int:
    try:
        return main(monkeypatch, *argv)
    except SystemExit as exit:  # argparse's usage errors
        return exit.code


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["show", "--workers", "2"], "--workers: only applies to a sweep run"),
        (["SPEC", "--csv", "out.csv"], "--csv: only applies to cftui sweep show"),
        (["SPEC", "--backend", "local", "--address", "auto"], "--address: needs --backend ray"),
        (["SPEC", "--workers", "0"], "argument --workers: must be a whole number >= 1"),
        (["show", "--db", "missing.db"], "missing.db: no such sweep database"),
        (["show", "--db", "fake.db", "--preset", "nope"], "--preset nope: no runs in fake.db"),
    ],
)
def test_a_bad_flag_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, argv, problem):
    monkeypatch.chdir(tmp_path)
    path = write_spec(tmp_path, "[grid.naive]\n")
    fabricate(tmp_path / "fake.db")
    argv = [str(path) if a == "SPEC" else a for a in argv]
    assert exit_code(monkeypatch, "sweep", *argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and problem in err, err
    assert not driver.default_db(path).exists()


def test_help_shows_both_forms(monkeypatch, capsys):
    assert exit_code(monkeypatch, "sweep", "--help") == 0
    out = capsys.readouterr().out
    assert "cftui sweep SPEC.toml [--db PATH] [--backend local|ray]" in out
    assert "cftui sweep show [--db PATH] [--preset P] [--csv OUT]" in out


# -- sweep show, on rows made by hand --------------------------------------------------------

NAIVE_TASK1 = (1.0, 1.0, 0.15)  # per seed: task 1's final MSE under naive
SETTINGS = {  # (method, settings): (task 1's final MSE per seed, last task's final MSE)
    ("naive", ()): (NAIVE_TASK1, 0.01),
    ("ewc", (("lambda", 1.0),)): ((0.1, 0.1, 0.1), 0.02),  # on the front
    ("ewc", (("lambda", 10.0),)): ((0.05, 0.05, 0.05), 0.05),  # on the front
    ("ewc", (("lambda", 100.0),)): ((0.2, 0.2, 0.2), 0.1),  # beaten by lambda=1
    ("l2", (("lambda", 1.0),)): ((0.5, 0.5, 0.5), 0.005),  # on the front; beats naive
}


def fabricate(db) -> None:
    """A sweep of 3 seeds with known numbers, written through the store."""
    store = Store(db)
    for (method, settings), (task1, last) in SETTINGS.items():
        runs = tuple(spec.Run(f"{method}{settings}{seed}", seed) for seed in range(3))
        job = spec.Job("tiny", method, dict(settings), {}, runs)
        matrices = [[[0.01, 2.0], [task1[seed], last]] for seed in range(3)]
        outcomes = [Outcome(method, s, m, 0.1, "finished") for s, m in enumerate(matrices)]
        store.write(backends.Result(job, outcomes, host="here"))
    store.close()


def test_each_setting_is_its_median_over_seeds_and_the_front_is_marked(tmp_path):
    fabricate(tmp_path / "s.db")
    found = {p.label: p for p in show.points(Store(tmp_path / "s.db").rows())}
    assert list(found) == [
        "naive",
        "ewc lambda=1",
        "ewc lambda=10",
        "ewc lambda=100",
        "l2 lambda=1",
    ]
    pareto = {label for label, p in found.items() if p.pareto}
    assert pareto == {"ewc lambda=1", "ewc lambda=10", "l2 lambda=1"}
    assert found["naive"].memory.median == 1.0 and found["naive"].plasticity.median == 0.01
    assert (found["ewc lambda=100"].wins, found["ewc lambda=100"].versus) == (2, 3)
    assert (found["ewc lambda=1"].wins, found["l2 lambda=1"].wins) == (3, 2)
    forgetting = show.points(Store(tmp_path / "s.db").rows(), memory="forgetting")
    assert forgetting[0].memory.median == pytest.approx(0.99)  # naive: 1.0 - 0.01


def test_log_ticks_are_round_values_of_the_range():
    at, labels = log_ticks(-2.1, -0.9)
    assert labels == ["0.01", "0.02", "0.05", "0.1"]
    assert at == pytest.approx([-2, -2 + 0.30103, -2 + 0.69897, -1])
    assert log_ticks(-1.05, -0.8)[1] == ["0.09", "0.1"]  # every multiple when narrow


def test_show_draws_the_chart_the_tables_and_writes_every_row_as_csv(tmp_path, monkeypatch, capsys):
    db, out = tmp_path / "s.db", tmp_path / "rows.csv"
    fabricate(db)
    assert exit_code(monkeypatch, "sweep", "show", "--db", db, "--csv", out) == 0
    text = capsys.readouterr().out
    assert "tiny: memory (task 1's final MSE) vs plasticity (last task's final MSE)" in text
    assert "• Pareto front  o naive  x ewc  + l2" in text
    assert "memory, log (lower is better)" in text
    for tick in ("0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"):
        assert f"{tick}┤" in text or f" {tick} " in text  # y ticks end in ┤; x ticks stand alone
    assert "tiny · ewc: median (range) over seeds" in text and "lambda=100" in text
    with out.open() as file:
        exported = list(csv.DictReader(file))
    assert len(exported) == 15 and list(exported[0]) == list(COLUMNS)
    assert {row["method"] for row in exported} == {"naive", "ewc", "l2"}
    ewc = next(r for r in exported if r["settings"] == '{"lambda": 10.0}' and r["seed"] == "1")
    assert ewc["loss_matrix"] == "[[0.01, 2.0], [0.05, 0.05]]" and float(ewc["task1_mse"]) == 0.05
    assert f"wrote 15 rows to {out}" in text
