"""Recordings a user could hand to `cftui figure` and `cftui replay`, generated: valid ones
mutated (recording_mutations) end in a whole, drawable result or in one line naming the file
(exit 2), never another exception, and `figure` changes no file unless it wrote them all.
The issue's own examples are checked one by one below the generated ones."""

import asyncio
import gzip
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from recording_mutations import DEEP, OVERFLOW, Original, edited, mutated

from cftui import cli
from cftui.live.player import Player
from cftui.results.recording import read
from cftui.train import catalog, problem
from cftui.train.config import ConfigError
from cftui.train.snapshot import Comparison
from cftui.tui.replay import ReplayApp

from tui_helpers import until

GENERATED = dict(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
READ_EXAMPLES = 1000  # in-process reads: about 6 ms each
FIGURE_EXAMPLES = 180  # `cftui figure` in-process: most are refused at once, a few draw
HEADER_EXAMPLES = 300  # a digits header's edits: about 8 ms each
SMALL = ["--size", "96x72", "--dpi", "30"]  # figures as small as --size allows: drawn fast


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> list[Original]:
    """Valid recordings, each as a user makes one: one method (a seed, plain; two seeds,
    gzip) and side by side (gzip, and the same plain)."""
    folder = tmp_path_factory.mktemp("originals")
    run = ["run", "--preset", "polynomial", "--epochs", "3", "--device", "cpu", "--record"]
    assert cli.main([*run, str(folder / "one.jsonl")]) == 0
    assert cli.main([*run, str(folder / "seeds.jsonl.gz"), "--seeds", "2"]) == 0
    side = folder / "side.jsonl.gz"
    figure = ["figure", "--compare", "naive,ewc", "--epochs", "3", "--device", "cpu", *SMALL]
    assert (
        cli.main([*figure, "--only", "loss", "-o", str(folder / "x.png"), "--record", str(side)])
        == 0
    )
    (folder / "side.jsonl").write_bytes(gzip.decompress(side.read_bytes()))
    plane = ["run", "--preset", "blobs-class", "--epochs", "2", "--device", "cpu", "--record"]
    assert cli.main([*plane, str(folder / "plane.jsonl")]) == 0  # version 3: a 2-D run
    digits = ["--preset", "digits-class", "--epochs", "1", "--device", "cpu", "--record"]
    assert cli.main(["run", *digits, str(folder / "digits.jsonl")]) == 0  # version 4
    compare = ["figure", "--compare", "naive,replay", "--only", "loss", *SMALL]
    out = ["-o", str(folder / "y.png")]
    assert cli.main([*compare, *out, *digits, str(folder / "digits-side.jsonl.gz")]) == 0
    names = ("one.jsonl", "seeds.jsonl.gz", "side.jsonl.gz", "side.jsonl", "plane.jsonl")
    names += ("digits.jsonl", "digits-side.jsonl.gz")
    return [Original.load(folder / name) for name in names]


FIGURES = {  # an original's figures that `figure` is asked for, by the start of its name
    "plane": ("data", "accuracy", "regions", "matrix"),  # a 2-D run's own
    "digits-side": ("digits", "summary"),
    "digits": ("accuracy", "digits", "matrix"),
    "side": ("fit", "summary"),
    "": ("data", "loss", "fit", "matrix"),
}


def one_line_naming(error: str, path: Path) -> None:
    assert error.count("\n") <= 1 and error.strip(), error
    assert str(path) in error, error


def read_or_refused(path: Path):
    """The recording at ``path``, or None where read refused it in one line naming it."""
    try:
        return read(path)
    except ConfigError as err:
        one_line_naming(str(err), path)
        event("refused")
        return None


def check_whole(recording) -> None:
    """What every view relies on, in every frame: each array the shape its scene gives."""
    for frame in recording.frames:
        assert math.isfinite(frame.t)
        shown = frame.snapshot
        for snap in shown.runs if isinstance(shown, Comparison) else (shown,):
            n_tasks, grid = len(snap.scene.tasks), snap.scene.grid
            picture = problem.of(snap.scene.config).picture  # a plane: its cells; the
            n_grid = {"fit": len(grid), "regions": grid.shape[-1] ** 2}.get(picture, grid.shape[-1])
            if picture == "digits":  # digits: the shown images, each a task's and in it
                assert all(0 <= i < len(snap.scene.tasks[k].x_test) for k, i in grid.T)
                assert all(0 <= t.x_test.min() <= t.x_test.max() <= 1 for t in snap.scene.tasks)
            assert 0 <= snap.task < n_tasks and snap.step >= 0 and snap.epoch >= 0
            assert snap.test_losses.shape == (len(snap.steps), n_tasks)
            assert snap.fit.shape == (n_grid,)
            assert all(ghost.shape == (n_grid,) for ghost in snap.ghosts)
            assert len(snap.ghosts) <= n_tasks and len(snap.boundaries) < n_tasks
            assert all(len(row) == n_tasks for row in snap.loss_matrix)
            if snap.loss_band is not None:
                assert all(edge.shape == snap.test_losses.shape for edge in snap.loss_band)
            assert np.isfinite(snap.scene.grid).all()
            if snap.test_accuracy is not None:  # a plane's classes index its colours
                n_classes = snap.scene.config.data.n_classes
                assert all(p.min() >= 0 and p.max() < n_classes for p in (snap.fit, *snap.ghosts))
                assert snap.test_accuracy.shape == snap.test_losses.shape
                assert all(len(row) == n_tasks for row in snap.accuracy_matrix)


@settings(max_examples=READ_EXAMPLES, **GENERATED)
@given(data=st.data())
def test_a_mutated_recording_reads_whole_or_is_one_line_naming_the_file(originals, tmp_path, data):
    original = data.draw(st.sampled_from(originals), label="original")
    path = tmp_path / original.name
    path.write_bytes(data.draw(mutated(original), label="bytes"))
    if (recording := read_or_refused(path)) is None:
        return
    event("read: cut where it stopped" if recording.stopped else "read whole")
    check_whole(recording)
    player = Player(recording)  # what replay builds on: its timeline and task starts
    assert np.isfinite(player.times).all() and player.starts[0] == 0


@settings(max_examples=HEADER_EXAMPLES, **GENERATED)
@given(data=st.data())
def test_a_mutated_digits_header_reads_whole_or_is_one_line_naming_the_file(
    originals, tmp_path, data
):
    """A digits header holds 80 images of 64 pixels: a change lands in one of them far more
    often than anywhere else, so its edits are drawn here on their own (one method, and side
    by side), checked as every mutated recording is."""
    digits = [original for original in originals if original.name.startswith("digits")]
    original = data.draw(st.sampled_from(digits), label="original")
    path = tmp_path / original.name
    path.write_bytes(data.draw(edited(original, line=0), label="bytes"))
    if (recording := read_or_refused(path)) is None:
        return
    event("read whole")
    check_whole(recording)


@settings(max_examples=FIGURE_EXAMPLES, **GENERATED)
@given(data=st.data())
def test_figure_of_a_mutated_recording_writes_every_file_or_changes_none(
    originals, tmp_path_factory, data, capsys
):
    """Each output already exists: exit 0 replaced them all; exit 2 (one line) left every
    byte of them, and no temporary file. No Python warning either way."""
    original = data.draw(st.sampled_from(originals), label="original")
    folder = tmp_path_factory.mktemp("figure")
    path = folder / original.name
    path.write_bytes(data.draw(mutated(original), label="bytes"))
    single = "side" not in original.name
    kinds = next(kinds for start, kinds in FIGURES.items() if original.name.startswith(start))
    outputs = [folder / f"out-{kind}.png" for kind in kinds] + [folder / "out.gif"] * single
    for output in outputs:
        output.write_bytes(b"before")
    argv = ["figure", str(path), "-o", str(folder / "out.png"), "--only", ",".join(kinds), *SMALL]
    argv += ["--gif", str(folder / "out.gif"), "--fps", "2"] * single
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = cli.main(argv)
    said = capsys.readouterr()
    assert code in (0, 2), said.err
    event(f"exit {code}")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        {path.name, *(o.name for o in outputs)}
    )
    if code == 2:
        assert said.err.startswith(f"cftui: error: {path}")
        one_line_naming(said.err, path)
        assert all(output.read_bytes() == b"before" for output in outputs)
    else:
        assert said.err.count("\n") <= 1  # at most: drawing up to where the file stopped
        assert all(output.read_bytes()[:4] in (b"\x89PNG", b"GIF8") for output in outputs)


def line_edited(path: Path, number: int, edit) -> Path:
    """``path`` with line ``number`` (from 1) edited as JSON by ``edit`` (or, given text,
    replaced by it), written beside it."""
    lines = path.read_text().splitlines()
    if isinstance(edit, str):
        lines[number - 1] = edit
    else:
        line = json.loads(lines[number - 1])
        edit(line)
        lines[number - 1] = json.dumps(line)
    edited = path.with_name(f"edited-{path.name}")
    edited.write_text("\n".join(lines) + "\n")
    return edited


def overflow(line: dict) -> None:
    line["step"] = OVERFLOW  # written as 1e999: JSON reads it as inf


def deep(line: dict) -> None:
    line["losses"] = [[[[]]]]  # replaced below, in the text, by nesting past the parser's limit


BAD_LINES = [  # the issue's examples: (line, edit, the line's key, what it says)
    (3, overflow, "line 3: step", "expected a whole number, got inf"),
    # line 5: task 2's first frame (3 epochs a task, a frame each), the first with a matrix
    (5, lambda line: line["matrix"][0].pop(), "line 5: matrix[0]", "holds 1 values, expected 2"),
    (
        5,
        lambda line: line["ghosts"][0].pop(),
        "line 5: ghosts[0]",
        "holds 255 values, expected 256",
    ),
    (1, lambda line: line["grid"].pop(), "line 2: fit", "holds 256 values, expected 255"),
    (
        2,
        lambda line: line["losses"][0].__setitem__(1, -1),
        "line 2: losses[0][1]",
        "a loss is >= 0",
    ),
    (2, lambda line: line.pop("state"), "line 2: state", "missing in the scene's first frame"),
    (  # finite, but beyond float32's range: matplotlib's transforms overflow on it
        1,
        lambda line: line["tasks"][0]["y_train"].__setitem__(0, 1e308),
        "line 1: tasks[0].y_train[0]",
        "must be a number -3.4e+38 <= x <= 3.4e+38, got 1e+308",
    ),
    (3, deep, "line 3", "nested deeper than any recording"),
    (
        1,
        lambda line: line.update(config=catalog.resolve("blobs-class").to_dict()),
        "line 1: config",
        "a 2-D classification",
    ),
]
BAD_PLANE_LINES = [  # a 2-D run's recording (version 3), edited
    (2, lambda line: line["fit"].pop(), "line 2: fit", "its runs cover"),
    (2, lambda line: line["fit"][0].__setitem__(0, 6), "line 2: fit[0][0]", "within 0..5"),
    (2, lambda line: line.pop("fit"), "line 2: fit", "missing in the scene's first frame"),
    (2, lambda line: line["accuracy"][0].__setitem__(0, 1.5), "line 2: accuracy[0][0]", "0..1"),
    (2, lambda line: line["accuracy"].pop(), "line 2: accuracy", "with every row of losses"),
    (
        1,
        lambda line: line["tasks"][0]["y_train"].__setitem__(0, 2),
        "line 1: tasks[0].y_train[0]",
        "within 0..1",
    ),
    (
        1,
        lambda line: line.update(config=catalog.resolve("polynomial").to_dict()),
        "line 1: config",
        "a 1-D regression, where the header holds a 2-D classification's tasks",
    ),
    (1, lambda line: line.update(version=1), "line 1: version", "2-D classification's (version 3)"),
]


BAD_DIGIT_LINES = [  # a digits run's recording (version 4), edited
    (
        1,
        lambda line: line["tasks"][0]["pixels"][0].__setitem__(3, 17),
        "line 1: tasks[0].pixels[0][3]",
        "within 0..16",
    ),
    (
        1,
        lambda line: line["tasks"][0]["pixels"][0].pop(),
        "line 1: tasks[0].pixels[0]",
        "holds 63 values, expected 64",
    ),
    (
        1,
        lambda line: line["tasks"][1]["labels"].pop(),
        "line 1: tasks[1].labels",
        "holds 15 values, expected 16",
    ),
    (
        1,
        lambda line: line["tasks"][1]["labels"].__setitem__(0, 4),
        "line 1: tasks[1].labels[0]",
        "within 0..3",
    ),
    (1, lambda line: line["grid"][1].__setitem__(0, 16), "line 1: grid[1][0]", "holds 16 images"),
    (1, lambda line: line["grid"][0].__setitem__(0, 5), "line 1: grid[0][0]", "within 0..4"),
    (1, lambda line: line["grid"][0].pop(), "line 1: grid", "two rows of the same length"),
    (2, lambda line: line["fit"].pop(), "line 2: fit", "holds 79 values, expected 80"),
    (1, lambda line: line["tasks"][1].pop("labels"), "line 1: tasks[1].labels", "missing"),
    (2, lambda line: line["fit"].__setitem__(0, 10), "line 2: fit[0]", "within 0..9"),
    (2, lambda line: line["fit"].__setitem__(0, 0.5), "line 2: fit[0]", "a whole number"),
    (1, lambda line: line.update(version=3), "line 1: version", "the tasks are a digits run's"),
    (1, lambda line: line.update(version=2), "line 1: version", "(version 4): was the version"),
    (
        1,
        lambda line: line.update(config=catalog.resolve("blobs-class").to_dict()),
        "line 1: config",
        "a 2-D classification, where the header holds a digits run's tasks",
    ),
]
BAD_DIGIT_SIDE_LINES = [  # side by side (version 4), edited
    (2, lambda line: line["runs"][1]["fit"].pop(), "line 2: runs[1].fit", "expected 80"),
    (1, lambda line: line["configs"].pop(), "line 2: runs", "holds 2 values, expected 1"),
]


def edited_file(original: Original, folder: Path, number: int, edit) -> Path:
    lines = json.loads(json.dumps(original.lines))
    edit(lines[number - 1])
    nest = lambda text: text.replace("[[[[]]]]", "[" * DEEP + "]" * DEEP, 1)  # noqa: E731
    path = folder / "edited.jsonl"
    path.write_bytes(original.encode(lines, nest))
    return path


@pytest.mark.parametrize(
    ("original", "number", "edit", "key", "says"),
    [(0, *bad) for bad in BAD_LINES]
    + [(4, *bad) for bad in BAD_PLANE_LINES]
    + [(5, *bad) for bad in BAD_DIGIT_LINES]
    + [(6, *bad) for bad in BAD_DIGIT_SIDE_LINES],
)
def test_the_issues_bad_recordings_are_one_line_naming_the_line_and_key(
    originals, tmp_path, capsys, original, number, edit, key, says
):
    """read(), figure and replay (before its app opens): one line, exit 2, no file written."""
    path = edited_file(originals[original], tmp_path, number, edit)
    with pytest.raises(ConfigError) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: {key}: ") and says in str(caught.value)
    old = tmp_path / "out-data.png"
    old.write_bytes(b"before")
    assert cli.main(["figure", str(path), "-o", str(tmp_path / "out.png"), *SMALL]) == 2
    assert cli.main(["replay", str(path)]) == 2
    said = capsys.readouterr()
    assert said.err.splitlines() == [f"cftui: error: {caught.value}"] * 2 and not said.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.jsonl", "out-data.png"]
    assert old.read_bytes() == b"before"


@pytest.mark.parametrize("kind", ["device", "pipe", "folder"])
def test_what_is_not_a_file_is_one_line_at_once_not_a_read_that_never_ends(tmp_path, kind):
    """/dev/zero has no line end and a pipe no writer: read() would wait forever. figure and
    replay say so in one line, exit 2 (a subprocess, ended after 60 s if it hangs)."""
    path = {"device": Path("/dev/zero"), "pipe": tmp_path / "pipe", "folder": tmp_path}[kind]
    if kind == "pipe":
        os.mkfifo(path)
    for command in (["replay", str(path)], ["figure", str(path), "-o", str(tmp_path / "f.png")]):
        done = subprocess.run(
            [sys.executable, "-m", "cftui", *command], capture_output=True, text=True, timeout=60
        )
        said = f"cftui: error: {path}: not a file (a recording is a file cftui wrote)"
        assert (done.returncode, done.stderr.splitlines(), done.stdout) == (2, [said], "")


def diverged(line: dict) -> None:
    """A run whose numbers became nan and inf: what a diverged run records (side by side,
    every run's part)."""
    for part in line.get("runs", [line]):
        for row in part.get("losses", []):
            row[1:] = ["nan", "inf"]
        part["matrix"] = [["nan", "inf"]] * len(part.get("matrix", []))
        if "fit" in part:
            part["fit"] = (["nan", "inf", "-inf"] * len(part["fit"]))[: len(part["fit"])]


@pytest.mark.parametrize(("original", "stop_after"), [(0, 2), (0, 4), (3, 2), (3, 4)])
def test_a_diverged_or_a_task_1_recording_draws_every_figure_without_a_warning(
    originals, tmp_path, monkeypatch, capsys, original, stop_after
):
    """A run stopped in task 1 (no loss matrix row yet: matplotlib warned "identical low and
    high ylims"), or a whole run whose numbers became nan and inf (the log axes had nothing
    to scale by), named as a dot-file: its figures are last-*.png in the current folder."""
    original = originals[original]
    lines = json.loads(json.dumps(original.lines))[:stop_after]
    if stop_after == 4:
        for line in lines[1:]:
            diverged(line)
    monkeypatch.chdir(tmp_path)
    Path(".last.jsonl").write_bytes(original.encode(lines))
    single = "side" not in original.name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cli.main(["figure", ".last.jsonl", *SMALL, *["--gif", "last.gif"] * single]) == 0
    assert capsys.readouterr().err == ""
    kinds = ("data", "loss", "fit", "matrix", *["summary"] * (not single))
    drawn = [*["last.gif"] * single, *(f"last-{kind}.png" for kind in kinds)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".last.jsonl", *drawn])


@pytest.mark.parametrize(("original", "stop_after"), [(0, 2), (0, 4), (3, 4)])
def test_a_diverged_or_a_task_1_recording_replays_to_its_last_frame(
    originals, tmp_path, original, stop_after
):
    """The app draws what figure draws: nan and inf losses and fits, no loss matrix row."""
    original = originals[original]
    lines = json.loads(json.dumps(original.lines))[:stop_after]
    for line in lines[1:]:
        diverged(line)
    path = tmp_path / original.name.removesuffix(".gz")
    path.write_bytes(original.encode(lines))
    recording = read(path)

    async def main() -> ReplayApp:
        app = ReplayApp(recording, speed=64.0)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda snap: snap is recording.frames[-1].snapshot)
            await pilot.press("q")
        return app

    app = asyncio.run(main())
    assert app.error == "" and app.exit_code() == 0
