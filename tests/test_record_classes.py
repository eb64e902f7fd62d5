"""Recording a 2-D classification (format version 3, issue 32): every frame reads back as it
was published (the class in every cell exactly, the accuracy beside the loss), side by side
too; a default run stays small; the replay draws the regions with the live panel, and
without torch."""

import asyncio
import dataclasses
import gzip
import json

import numpy as np
import pytest
from test_record import record_run
from test_replay import replays_to_its_end_without_torch

from cftui import cli
from cftui.live import runner as runner_module
from cftui.live.runner import Runner
from cftui.results import record
from cftui.results.recording import read
from cftui.results.recording_codecs import ClassRuns
from cftui.train import catalog
from cftui.train.snapshot import Comparison, State
from cftui.tui.replay import ReplayApp
from cftui.tui.widgets.regions import RegionsPlot

from conftest import small

PLANES = ["blobs-class", "blobs-task", "moons-domain", "circles-domain", "spirals-class"]
PLANES += ["xor-domain"]  # every 2-D preset
MB = 1_000_000


def same_plane_tasks(task, back) -> None:
    """A 2-D task read back: every point and class, exactly."""
    assert (back.name, back.classes) == (task.name, task.classes)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(back, name), getattr(task, name))


def assert_same(published, frames, same_tasks=same_plane_tasks) -> None:
    """Every recorded frame holds the published snapshot's own values, exactly; its scene's
    tasks as ``same_tasks`` says a recording keeps them."""
    assert len(frames) == len(published)
    for snap, frame in zip(published, frames, strict=True):
        got = frame.snapshot
        for field in ("run", "step", "task", "epoch", "state", "boundaries", "loss_matrix"):
            assert getattr(got, field) == getattr(snap, field), field
        assert got.accuracy_matrix == snap.accuracy_matrix
        assert got.confusion == snap.confusion  # the test's answers by class, exactly
        for field in ("steps", "test_losses", "test_accuracy", "fit"):
            np.testing.assert_array_equal(getattr(got, field), getattr(snap, field), field)
        assert len(got.ghosts) == len(snap.ghosts)
        for ghost, back in zip(snap.ghosts, got.ghosts, strict=True):
            np.testing.assert_array_equal(back, ghost)
        assert got.scene.config == snap.scene.config
        np.testing.assert_array_equal(got.scene.grid, snap.scene.grid)
        for task, back in zip(snap.scene.tasks, got.scene.tasks, strict=True):
            same_tasks(task, back)


@pytest.mark.parametrize("preset", PLANES)
def test_every_2d_preset_reads_back_as_published(preset, tmp_path):
    path = tmp_path / "run.jsonl"
    published = record_run(path, small(catalog.resolve(preset), epochs=6), pace=120.0)
    assert len(published) > len(published[-1].scene.tasks)  # a frame per task and more
    recording = read(path)
    assert recording.stopped == ""
    assert_same(published, recording.frames)
    header = json.loads(path.read_text().splitlines()[0])
    assert (header["version"], "fit_scale" in header) == (3, False)


def test_side_by_side_and_back_to_one_method_read_back_as_published(tmp_path):
    config = small(catalog.resolve("blobs-class"), epochs=4)
    compared_then_one_read_back(tmp_path / "compare.jsonl.gz", config, same_plane_tasks)


def compared_then_one_read_back(path, config, same_tasks) -> None:
    """naive and replay side by side, then one method, recorded in one file: every frame
    reads back as published, side by side ones as Comparisons."""
    published = []
    with record.Recorder(path) as recorder:
        Runner(config, methods=["naive", "replay"]).run(recorder.around(published.append))
        Runner(config).run(recorder.around(published.append))
    frames = read(path).frames
    sides = [f for f in frames if isinstance(f.snapshot, Comparison)]
    assert sides and len(sides) < len(frames)
    for snap, frame in zip(published, frames, strict=True):
        side_by_side = isinstance(snap, Comparison)
        pairs = zip(snap.runs, frame.snapshot.runs, strict=True) if side_by_side else []
        for live, back in [*pairs] or [(snap, frame.snapshot)]:
            live = dataclasses.replace(live, run=back.run)  # a recording counts its scenes
            assert_same([live], [type(frame)(frame.t, back)], same_tasks)


def test_the_class_runs_are_exact_and_short():
    classes = np.repeat([2, 0, 5, 0], [700, 4, 1500, 100])
    runs = ClassRuns.encode(classes)
    assert runs == [[2, 700], [0, 4], [5, 1500], [0, 100]]
    np.testing.assert_array_equal(ClassRuns.decode(runs), classes)


def a_default_run_recorded(preset: str, path, monkeypatch) -> list:
    """The default app run of ``preset`` (one task in 10 s, PUBLISH_HZ frames a second)
    recorded at ``path``, played 10x faster with 10x the publish rate: the same frames per
    epoch, which it checks; the snapshots published."""
    config, speedup = catalog.resolve(preset), 10
    pace = config.train.epochs / 10.0
    monkeypatch.setattr(runner_module, "PUBLISH_HZ", runner_module.PUBLISH_HZ * speedup)
    published = record_run(path, config, pace=pace * speedup)
    seconds = config.data.n_tasks * config.train.epochs / pace
    hz = runner_module.PUBLISH_HZ / speedup
    assert 0.5 * seconds * hz <= len(published) <= 1.5 * seconds * hz
    return published


def test_a_default_blobs_class_run_records_to_under_2_mb_gzipped(tmp_path, monkeypatch):
    path = tmp_path / "default.jsonl.gz"
    published = a_default_run_recorded("blobs-class", path, monkeypatch)
    assert path.stat().st_size <= 2 * MB
    print(f"{len(published)} frames, {path.stat().st_size} bytes gzipped")
    assert len(gzip.decompress(path.read_bytes())) > 2 * path.stat().st_size


def test_the_replay_draws_the_regions_as_the_live_panel_does(tmp_path):
    """The replay's regions panel shows the recorded last frame; handed the live snapshot,
    the same panel draws the very same text and colours."""
    path = tmp_path / "run.jsonl"
    published = record_run(path, small(catalog.resolve("blobs-class"), epochs=6))
    replayed, live = replayed_and_live(path, published[-1], RegionsPlot)
    assert replayed.plain.count("class ") == 6 and replayed.spans
    assert (replayed.plain, replayed.spans) == (live.plain, live.spans)


def replayed_and_live(path, last, panel_type):
    """What the replay's picture panel (of ``panel_type``) draws at the recording's last
    frame, and what it draws of ``last``, the live run's last snapshot (at 120x40)."""
    recording = read(path)

    async def main():
        app = ReplayApp(recording, speed=64.0)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(250):
                await pilot.pause(0.02)
                if app.snapshot is recording.frames[-1].snapshot:
                    break
            await pilot.pause()
            panel = app.query_one(panel_type)
            replayed = panel.draw(app.snapshot)
            live = panel.draw(last)
            await pilot.press("q")
        return replayed, live

    return asyncio.run(main())


def test_a_2d_recording_replays_where_torch_cannot_be_imported(tmp_path):
    path = tmp_path / "run.jsonl.gz"
    argv = ["run", "--preset", "blobs-task", "--epochs", "3", "--record", str(path)]
    assert cli.main(argv) == 0
    assert read(path).frames[-1].snapshot.state is State.FINISHED
    replays_to_its_end_without_torch(path)
