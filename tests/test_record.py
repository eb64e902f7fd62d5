"""Recording a run (cftui.results.record): what is read back is what was published, within the fit's
rounding; a default run stays small; a cut or foreign file is handled as promised."""

import gzip
import itertools
import json
import subprocess
import sys
import threading

import numpy as np
import pytest
from rich.filesize import decimal
from threads import wait_for

from cftui.live import runner as runner_module
from cftui.live.runner import Runner
from cftui.results import record
from cftui.results.atomic import WriteError
from cftui.results.recording import Frame, read
from cftui.results.recording_codecs import FitScale
from cftui.train.config import ConfigError
from cftui.train.snapshot import Command, State

from conftest import small

MB = 1_000_000


def record_run(path, config, **engine_args) -> list:
    """Train ``config`` to the end with a Recorder around the publish callback; the
    snapshots that were published."""
    published = []
    with record.Recorder(path) as recorder:
        Runner(config, **engine_args).run(recorder.around(published.append))
    return published


def assert_same(published, frames) -> None:
    """Every frame equals its published snapshot: counters, state and losses exactly, the
    fit and the ghosts within half a rounding step, a quarter of a braille dot or less on a
    100-row fit panel (4 dots a row over 1.2 times the data's span)."""
    assert len(frames) == len(published)
    times = [frame.t for frame in frames]
    assert times == sorted(times)
    for snap, frame in zip(published, frames, strict=True):
        got, scale = frame.snapshot, FitScale.of(snap.scene.tasks)
        ys = np.concatenate([np.r_[t.y_train, t.curve_y] for t in snap.scene.tasks])
        assert scale.step / 2 <= 1.2 * np.ptp(ys) / 400 / 4
        for field in ("run", "step", "task", "epoch", "state", "boundaries", "loss_matrix"):
            assert getattr(got, field) == getattr(snap, field), field
        assert (got.pace, got.auto_advance, got.message) == (
            snap.pace,
            snap.auto_advance,
            snap.message,
        )
        np.testing.assert_array_equal(got.steps, snap.steps)
        np.testing.assert_array_equal(got.test_losses, snap.test_losses)
        assert np.abs(got.fit - snap.fit).max() <= scale.step / 2 + 1e-12
        assert len(got.ghosts) == len(snap.ghosts)
        for ghost, recorded in zip(snap.ghosts, got.ghosts, strict=True):
            assert np.abs(recorded - ghost).max() <= scale.step / 2 + 1e-12
        assert got.scene.config == snap.scene.config
        np.testing.assert_array_equal(got.scene.grid, snap.scene.grid)
        for task, back in zip(snap.scene.tasks, got.scene.tasks, strict=True):
            assert (back.name, back.x_range) == (task.name, task.x_range)
            for name in ("x_train", "y_train", "x_test", "y_test", "curve_x", "curve_y"):
                np.testing.assert_array_equal(getattr(back, name), getattr(task, name))


def test_a_paced_run_with_a_rerun_reads_back_as_published(tiny, tmp_path):
    """Two scenes (a run, then a reset to another method) in one file, as the app makes."""
    path = tmp_path / "run.jsonl"
    engine = Runner(small(tiny, epochs=12), pace=60.0)
    published = []
    with record.Recorder(path) as recorder:
        thread = threading.Thread(
            target=engine.run, args=(recorder.around(published.append), False), daemon=True
        )
        thread.start()
        wait_for(engine, lambda s: s.state is State.FINISHED)
        engine.send(Command.RESET, engine.config.with_overrides(method="ewc"))
        wait_for(engine, lambda s: s.run == 1 and s.state is State.FINISHED)
        engine.stop()
        thread.join(timeout=5)
    assert not thread.is_alive()
    recording = read(path)
    assert recording.stopped == ""
    assert {snap.run for snap in published} == {0, 1}
    assert len(published) >= 6  # paced: several frames per task, not just the state changes
    assert_same(published, recording.frames)
    headers = [json.loads(line) for line in path.read_text().splitlines() if '"format"' in line]
    assert [(h["format"], h["version"], h["run"]) for h in headers] == [
        ("cftui-record", 1, 0),
        ("cftui-record", 1, 1),
    ]
    assert headers[1]["config"]["method"]["name"] == "ewc"


def test_gz_is_compressed_and_reads_back_the_same(tiny, tmp_path):
    published = record_run(tmp_path / "run.jsonl.gz", tiny, pace=None)
    raw = (tmp_path / "run.jsonl.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert len(gzip.decompress(raw)) > 2 * len(raw)
    assert_same(published, read(tmp_path / "run.jsonl.gz").frames)


def test_a_default_polynomial_run_records_to_under_a_megabyte(polynomial, tmp_path, monkeypatch):
    """The default app run: 200 epochs a task at one task in 10 s, PUBLISH_HZ snapshots a
    second. Played 10x faster with 10x the publish rate, it has the same frames per epoch."""
    speedup, pace = 10, polynomial.train.epochs / 10.0
    monkeypatch.setattr(runner_module, "PUBLISH_HZ", runner_module.PUBLISH_HZ * speedup)
    path = tmp_path / "default.jsonl"
    published = record_run(path, polynomial, pace=pace * speedup)
    seconds = 2 * polynomial.train.epochs / pace
    hz = runner_module.PUBLISH_HZ / speedup
    assert 0.5 * seconds * hz <= len(published) <= 1.5 * seconds * hz
    assert path.stat().st_size <= MB
    print(f"{len(published)} frames, {path.stat().st_size} bytes")


@pytest.mark.parametrize("name", ["run.jsonl", "run.jsonl.gz"])
def test_a_killed_run_leaves_every_frame_readable(tiny, tmp_path, name):
    """Read while the recorder is still open, as after a kill: each line is on disk at once
    (a gzip file lacks its end, which read() says, but holds every frame)."""
    recorder, published = record.Recorder(tmp_path / name), []
    Runner(tiny).run(recorder.around(published.append))
    recording = read(tmp_path / name)
    recorder.close()
    assert_same(published, recording.frames)
    assert ("compressed data cut short" in recording.stopped) == name.endswith(".gz")


def cut(path, keep: int) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def test_a_file_cut_short_replays_what_is_whole_and_says_where(tiny, tmp_path):
    path = tmp_path / "run.jsonl"
    published = record_run(path, small(tiny, epochs=12), pace=80.0)
    lines = path.read_bytes().splitlines(keepends=True)
    cut(path, sum(map(len, lines[:-1])) + len(lines[-1]) // 2)  # half of the last line
    recording = read(path)
    assert recording.stopped == f"line {len(lines)}: cut short"
    assert_same(published[:-1], recording.frames)

    path.write_bytes(b"".join(lines[:-1]) + b'{"t": 9, "step": \x00}\n')  # corrupt, not cut
    recording = read(path)
    assert recording.stopped.startswith(f"line {len(lines)}: ")
    assert "cut short" not in recording.stopped
    assert len(recording.frames) == len(published) - 1

    assert len(lines) >= 4
    lines[2] = b"not json\n"  # a corrupt line in the middle: what follows builds on it
    path.write_bytes(b"".join(lines))
    recording = read(path)
    assert recording.stopped.startswith("line 3: ")
    assert_same(published[:1], recording.frames)


def test_a_compressed_file_cut_short_replays_its_whole_part(tiny, tmp_path):
    path = tmp_path / "run.jsonl.gz"
    published = record_run(path, tiny, pace=None)
    cut(path, path.stat().st_size - 40)  # the gzip trailer and the last flushed lines
    recording = read(path)
    assert recording.stopped.startswith("after line ")
    assert "compressed data cut short" in recording.stopped
    assert 0 < len(recording.frames) < len(published)
    assert_same(published[: len(recording.frames)], recording.frames)


@pytest.mark.parametrize(
    ("content", "key", "says"),
    [
        ('{"format": "other", "version": 1}\n', "format", "not a cftui recording"),
        ("a,b,c\n1,2,3\n", "format", "not a cftui recording"),
        ('{"format": "cftui-record", "version": 5}\n', "version", "5 is newer"),
        ('{"format": "cftui-record", "version": "1"}\n', "version", "not a version"),
        ("", "", "no frame to replay (empty)"),
    ],
)
def test_another_format_or_a_newer_version_is_one_line(tmp_path, content, key, says):
    path = tmp_path / "x.jsonl"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        read(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: {key}")
    assert says in message


REPLAY_CLI = """
import sys
from cftui import cli
if "cftui.commands.replay" not in cli.COMMAND_MODULES:  # until the lead wires it
    cli.COMMAND_MODULES += ("cftui.commands.replay",)
sys.exit(cli.main(sys.argv[1:]))
"""


def test_cftui_replay_of_a_bad_file_exits_2_with_one_line(tmp_path):
    newer = tmp_path / "newer.jsonl"
    newer.write_text('{"format": "cftui-record", "version": 99}\n')
    for path, says in [
        (newer, f"cftui: error: {newer}: version: 99 is newer than this cftui reads (4)"),
        (tmp_path / "none.jsonl", f"cftui: error: {tmp_path / 'none.jsonl'}: no such file"),
    ]:
        done = subprocess.run(
            [sys.executable, "-c", REPLAY_CLI, "replay", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2
        assert done.stderr.splitlines() == [says + (": upgrade" if path == newer else "")]


def test_a_recorder_that_cannot_write_says_so_in_one_line(tmp_path):
    with pytest.raises(WriteError) as caught:
        record.Recorder(tmp_path / "missing" / "run.jsonl")
    assert str(caught.value).startswith(f"{tmp_path / 'missing' / 'run.jsonl'}: cannot write")
    assert "\n" not in str(caught.value)


def test_run_at_a_pace_records_a_replay_that_takes_as_long(tmp_path, capsys):
    """`cftui run --pace` trains as the live app would, so its recording replays over the
    same time (at full pace, a run of a second records a handful of frames)."""
    from cftui import cli

    path = tmp_path / "paced.jsonl"
    argv = ["run", "--epochs", "10", "--pace", "40", "--record", str(path), "--device", "cpu"]
    assert cli.main(argv) == 0
    size = decimal(path.stat().st_size)
    said = capsys.readouterr().out.splitlines()[-1]
    assert said == f"recorded {path} ({size}): cftui replay {path}"  # as the app says it
    frames = read(path).frames
    assert frames[-1].snapshot.state is State.FINISHED and frames[-1].snapshot.step == 20
    assert frames[-1].t >= 0.45  # 20 epochs at 40 a second: half a second at the least
    assert len(frames) >= 3


def test_run_at_full_pace_records_the_training_as_the_app_would_show_it(tmp_path, capsys):
    """Without --pace a headless run trains as fast as it can, and its recording keeps a
    frame every epochs / 50 epochs on the app's clock (5 a second, a task in 10 s): however
    fast it ran, it replays as the app would have shown it (by the wall clock it held a
    handful of frames: two tasks in half a second)."""
    from cftui import cli

    path = tmp_path / "full.jsonl"
    assert cli.main(["run", "--epochs", "100", "--record", str(path), "--device", "cpu"]) == 0
    frames = read(path).frames
    assert frames[-1].snapshot.state is State.FINISHED
    epochs = [f.snapshot.epoch for f in frames if f.snapshot.state is State.RUNNING]
    assert {e % 2 for e in epochs} == {0}  # a frame every 100 / 50 = 2 epochs
    assert 100 <= len(frames) <= 106  # 50 a task, and the starts and ends of the tasks
    gaps = {round(b.t - a.t, 6) for a, b in itertools.pairwise(frames)}
    assert gaps == {0.2}  # the app's 5 frames a second


def test_a_comparison_reads_back_as_published_run_by_run(tiny, tmp_path):
    """Side by side, each line holds every run's part: each reads back as its own run."""
    from cftui.live.runner import Runner
    from cftui.train.snapshot import Comparison

    path, published = tmp_path / "compare.jsonl", []
    with record.Recorder(path) as recorder:
        Runner(small(tiny, epochs=12), methods=["naive", "ewc"], pace=60.0).run(
            recorder.around(published.append)
        )
    header = json.loads(path.read_text().splitlines()[0])
    assert (header["version"], "config" in header) == (2, False)
    assert [c["method"]["name"] for c in header["configs"]] == ["naive", "ewc"]
    frames = read(path).frames
    assert all(isinstance(frame.snapshot, Comparison) for frame in frames)
    for i, name in enumerate(("naive", "ewc")):
        runs = [Frame(f.t, f.snapshot.runs[i]) for f in frames]
        assert_same([c.runs[i] for c in published], runs)
        assert runs[-1].snapshot.scene.config.method.name == name
    for sent, got in zip(published, frames, strict=True):
        assert (got.snapshot.state, got.snapshot.pace, got.snapshot.auto_advance) == (
            sent.state,
            sent.pace,
            sent.auto_advance,
        )


def test_several_seeds_record_their_range_exactly(tiny, tmp_path):
    published = record_run(tmp_path / "seeds.jsonl", small(tiny, epochs=6), seeds=[0, 1, 2])
    frames = read(tmp_path / "seeds.jsonl").frames
    assert_same(published, frames)
    for snap, frame in zip(published, frames, strict=True):
        for sent, got in zip(snap.loss_band, frame.snapshot.loss_band, strict=True):
            np.testing.assert_array_equal(got, sent)
    assert frames[-1].snapshot.loss_band[0].shape == published[-1].test_losses.shape


def test_a_recorder_clock_times_the_frames_and_a_new_engine_is_a_new_scene(tiny, tmp_path):
    """The app's worker can start a new runner whose runs count from 0 again: still a new
    scene, numbered on. A clock other than the wall's times the frames."""
    path, ticks = tmp_path / "two.jsonl", iter(range(100))
    with record.Recorder(path, clock=lambda: next(ticks) / 4) as recorder:
        for _ in range(2):
            Runner(small(tiny, epochs=4)).run(recorder)
    frames = read(path).frames
    assert [f.t for f in frames] == [i / 4 for i in range(len(frames))]
    assert sorted({f.snapshot.run for f in frames}) == [0, 1]
