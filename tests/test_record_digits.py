"""Recording a digits run (format version 4, issue 35): every frame reads back as it was
published (the answers to the shown digits exactly, the accuracy, the confusion), side by
side too; the header holds each task's shown test images only, as whole counts of ink; a
default digits-class recording stays small; the replay draws the digits as the live panel
does, with neither torch nor scikit-learn."""

import dataclasses
import gzip
import json

import numpy as np
import pytest
from test_digits import tiny
from test_record import record_run
from test_record_classes import (
    a_default_run_recorded,
    assert_same,
    compared_then_one_read_back,
    replayed_and_live,
)
from test_replay import replays_to_its_end_without_torch

from cftui import cli
from cftui.results.recording import read
from cftui.train.digit_measure import SHOWN_PER_TASK
from cftui.train.snapshot import State
from cftui.tui.widgets.digits import DigitsPlot

DIGITS = ["digits-class", "digits-task", "digits-domain"]
KB = 1000


def same_shown_digits(task, back) -> None:
    """A digits task read back: its name and classes, and the test images the picture
    shows (the first SHOWN_PER_TASK) with their digits, exactly; no training image."""
    assert (back.name, back.classes) == (task.name, task.classes)
    np.testing.assert_array_equal(back.x_test, task.x_test[:SHOWN_PER_TASK])
    np.testing.assert_array_equal(back.y_test, task.y_test[:SHOWN_PER_TASK])
    assert back.x_test.dtype == task.x_test.dtype and len(back.x_train) == 0


@pytest.mark.parametrize("preset", DIGITS)
def test_every_digits_preset_reads_back_as_published(preset, tmp_path):
    path = tmp_path / "run.jsonl"
    config = tiny(preset, "ewc")
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, epochs=3))
    published = record_run(path, config, pace=60.0)
    assert len(published) > len(published[-1].scene.tasks)  # a frame per task and more
    recording = read(path)
    assert recording.stopped == ""
    assert_same(published, recording.frames, same_shown_digits)
    assert len({bytes(np.asarray(g, np.int64)) for g in recording.frames[-1].snapshot.ghosts}) > 1


def test_side_by_side_and_back_to_one_method_read_back_as_published(tmp_path):
    compared_then_one_read_back(tmp_path / "side.jsonl.gz", tiny("digits-class"), same_shown_digits)


def test_the_header_holds_the_shown_images_as_counts_of_ink_not_the_data_set(tmp_path):
    path = tmp_path / "run.jsonl"
    published = record_run(path, tiny("digits-domain"))
    header = json.loads(path.read_text().splitlines()[0])
    assert (header["version"], "fit_scale" in header) == (4, False)
    scene = published[-1].scene
    assert header["grid"] == np.asarray(scene.grid).tolist()  # (task, index) of each shown
    assert len(header["grid"][0]) == len(scene.tasks) * SHOWN_PER_TASK == 5 * 16
    for task, held in zip(scene.tasks, header["tasks"], strict=True):
        assert set(held) == {"name", "classes", "pixels", "labels"}
        assert len(held["pixels"]) == len(held["labels"]) == SHOWN_PER_TASK
        counts = np.asarray(held["pixels"])
        assert counts.dtype.kind == "i" and counts.min() >= 0 and counts.max() <= 16
        np.testing.assert_array_equal(counts / 16, task.x_test[:SHOWN_PER_TASK])
    assert len(path.read_text().splitlines()[0]) < 20 * KB  # 80 images, not 1,797


def test_a_default_digits_class_run_records_small(tmp_path, monkeypatch):
    """The default app run, under 100 KB gzipped (250 KB as text)."""
    path = tmp_path / "default.jsonl.gz"
    published = a_default_run_recorded("digits-class", path, monkeypatch)
    size = path.stat().st_size
    raw = len(gzip.decompress(path.read_bytes()))
    print(f"{len(published)} frames, {size} bytes gzipped, {raw} raw")
    assert size <= 100 * KB and raw <= 250 * KB  # 31 KB and 119 KB measured (12-07)


def test_the_replay_draws_the_digits_as_the_live_panel_does(tmp_path):
    path = tmp_path / "run.jsonl"
    published = record_run(path, tiny("digits-class"))
    replayed, live = replayed_and_live(path, published[-1], DigitsPlot)
    assert "✗" in replayed.plain and "▀" in replayed.plain and replayed.spans
    assert (replayed.plain, replayed.spans) == (live.plain, live.spans)


def test_a_digits_recording_replays_with_neither_torch_nor_scikit_learn(tmp_path):
    path = tmp_path / "run.jsonl.gz"
    argv = ["run", "--preset", "digits-class", "--epochs", "1", "--record", str(path)]
    assert cli.main(argv) == 0
    assert read(path).frames[-1].snapshot.state is State.FINISHED
    drawn = "print(app.query_one(DigitsPlot).draw(app.snapshot).plain.count('✗'))"
    found = "from cftui.tui.widgets.digits import DigitsPlot\n        " + drawn
    wrong = replays_to_its_end_without_torch(path, found, blocked="torch,sklearn")
    last = read(path).frames[-1].snapshot
    assert int(wrong) > 0 and last.fit.size == 5 * SHOWN_PER_TASK
