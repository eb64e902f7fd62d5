"""CSV export (cftui.results.export): the files hold the snapshot's own numbers, are written whole,
and the app's "e" says where they went."""

import csv
import dataclasses
import io

import numpy as np
import pytest

from cftui.results import export
from cftui.results.atomic import WriteError
from cftui.train import catalog
from cftui.train.snapshot import Comparison, State
from cftui.train.trainer import Trainer

from conftest import small


@pytest.fixture(scope="module")
def finished():
    """A finished two-task run (full pace, a few epochs)."""
    engine = Trainer(small(catalog.resolve("polynomial"), epochs=15))
    return engine.run()


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_history_has_every_measurement_with_its_task(finished):
    header, *body = rows(export.history_csv(finished))
    assert header == ["step", "task", "test_mse_task_1", "test_mse_task_2"]
    assert [int(r[0]) for r in body] == finished.steps.tolist()
    np.testing.assert_array_equal([[float(v) for v in r[2:]] for r in body], finished.test_losses)
    (switch,) = finished.boundaries  # the step task 2 began: its first measurement is task 1's
    assert [int(r[1]) for r in body] == [1 if s <= switch else 2 for s in finished.steps]
    assert {int(r[1]) for r in body} == {1, 2} and int(body[-1][0]) == finished.step


def test_a_step_measured_twice_is_one_row_with_the_task_s_end_measurement():
    """`n` on a measured step: the task's end measures that step again; the history keeps
    one row for it, the measurement the loss matrix took."""
    config = small(catalog.resolve("polynomial"), epochs=100)
    trainer = Trainer(
        dataclasses.replace(config, train=dataclasses.replace(config.train, eval_every=10))
    )
    for _ in range(40):
        next(trainer.loop)
    trainer.cut()
    next(trainer.loop)  # to the task's end, with no step
    snap = trainer.take_snapshot()
    assert snap.steps.tolist()[-2:] == [40, 40]  # measured at step 40, then at the task's end
    _, *body = rows(export.history_csv(snap))
    assert [int(r[0]) for r in body] == [0, 10, 20, 30, 40]
    assert tuple(float(v) for v in body[-1][2:]) == snap.loss_matrix[0]


def test_the_matrix_has_a_row_per_finished_task(finished):
    header, *body = rows(export.matrix_csv(finished))
    assert header == ["after_task", "test_mse_task_1", "test_mse_task_2"]
    assert [r[0] for r in body] == ["1", "2"]
    assert [tuple(float(v) for v in r[1:]) for r in body] == list(finished.loss_matrix)


def test_run_csv_writes_both_files_whole_and_names_the_second(finished, tmp_path):
    out = tmp_path / "losses.csv"
    assert export.write_csv(out, finished) == (out, tmp_path / "losses-matrix.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["losses-matrix.csv", "losses.csv"]
    assert out.read_text() == export.history_csv(finished)
    assert (tmp_path / "losses-matrix.csv").read_text() == export.matrix_csv(finished)
    with pytest.raises(WriteError) as caught:
        export.write_csv(tmp_path / "missing" / "x.csv", finished)
    assert str(caught.value).startswith(f"{tmp_path / 'missing' / 'x.csv'}: cannot write")


def test_the_e_key_saves_both_here_and_says_where(finished, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    saved, said = export.save_here(finished)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert saved and len(names) == 2
    history, matrix = (tmp_path / n for n in sorted(names, key=len))
    assert history.name.startswith("cftui-polynomial-naive-") and history.suffix == ".csv"
    assert matrix.name == history.name.replace(".csv", "-matrix.csv")
    assert said == f"saved {history}, {matrix}"
    assert matrix.read_text() == export.matrix_csv(finished)


def test_a_comparison_saves_each_run_and_a_failure_says_why(finished, tmp_path, monkeypatch):
    other = finished.scene.config.with_overrides(method="ewc")
    ewc = Trainer(other).run()
    both = Comparison((finished, ewc), run=0, state=State.FINISHED, pace=None, auto_advance=True)
    monkeypatch.chdir(tmp_path)
    saved, said = export.save_here(both)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert saved and said.startswith(f"saved 4 files in {tmp_path}: ")  # short: one per method
    assert all(name in said for name in names if not name.endswith("-matrix.csv"))
    assert sum(p.name.startswith("cftui-polynomial-ewc-") for p in tmp_path.iterdir()) == 2
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the folder the app runs in was removed: nothing can be written there
    saved, said = export.save_here(finished)
    assert not saved and said.startswith("CSV not saved: ") and "\n" not in said


@pytest.mark.parametrize("preset", ["blobs-class", "blobs-task", "moons-domain"])
def test_a_classification_s_columns_say_cross_entropy_and_accuracy(preset):
    """Issue 32: a 2-D run's CSV named its cross-entropy test_mse_task_K and left out the
    accuracy. Its columns are named by the problem and hold the snapshot's own numbers."""
    snap = Trainer(small(catalog.resolve(preset), epochs=3)).run()
    n = len(snap.scene.tasks)
    names = [f"test_ce_task_{j}" for j in range(1, n + 1)]
    names += [f"test_accuracy_task_{j}" for j in range(1, n + 1)]
    header, *body = rows(export.history_csv(snap))
    assert header == ["step", "task", *names]
    numbers = np.array([[float(v) for v in r[2:]] for r in body])
    last = np.append(np.diff(snap.steps) != 0, True)
    np.testing.assert_array_equal(numbers[:, :n], snap.test_losses[last])
    np.testing.assert_array_equal(numbers[:, n:], snap.test_accuracy[last])
    header, *body = rows(export.matrix_csv(snap))
    assert header == ["after_task", *names] and len(body) == n


def test_run_csv_matrix_equals_the_json_s_loss_and_accuracy_matrices(tmp_path):
    """`cftui run --preset blobs-class --csv --json`: the matrix CSV holds the JSON's
    loss_matrix and accuracy_matrix, number for number."""
    import json

    from cftui import cli

    out, data = tmp_path / "run.csv", tmp_path / "run.json"
    argv = ["run", "--preset", "blobs-class", "--epochs", "3", "--csv", str(out)]
    assert cli.main([*argv, "--json", str(data)]) == 0
    saved = json.loads(data.read_text())
    header, *body = rows((tmp_path / "run-matrix.csv").read_text())
    n = len(saved["loss_matrix"])
    assert header[1:] == [f"test_ce_task_{j}" for j in range(1, n + 1)] + [
        f"test_accuracy_task_{j}" for j in range(1, n + 1)
    ]
    assert [[float(v) for v in r[1 : n + 1]] for r in body] == saved["loss_matrix"]
    assert [[float(v) for v in r[n + 1 :]] for r in body] == saved["accuracy_matrix"]
    assert rows(out.read_text())[0][2] == "test_ce_task_1"
