"""The figures of a 2-D run (issue 32): for every 2-D preset, record -> replay -> figure with
torch blocked gives the very SVG bytes made live; the regions panels are the recorded class
grid, titled with the recorded accuracy; the accuracy matrix leaves untrained cells out of
its scale; the GIF animates the regions beside the accuracy and holds its last frame; a
figure of the other problem is one line and exit 2."""

import dataclasses

import numpy as np
import pytest
from PIL import Image
from test_figures import without
from test_record_classes import PLANES
from test_replay import replays_to_its_end_without_torch

from cftui import cli
from cftui.figures import animate, panels, planes, static
from cftui.figures.style import region_tints
from cftui.results.recording import read

RUN = ["--epochs", "4", "--device", "cpu"]  # the shipped model, 4 epochs a task


@pytest.fixture(scope="module")
def blobs(tmp_path_factory):
    """blobs-class with ewc, trained by `cftui figure` (its figures as SVG), and its recording."""
    folder = tmp_path_factory.mktemp("blobs")
    rec = folder / "run.jsonl"
    argv = ["figure", "--preset", "blobs-class", "--method", "ewc", *RUN, "--record", str(rec)]
    assert cli.main([*argv, "-o", str(folder / "live.svg")]) == 0
    return folder, rec


@pytest.mark.parametrize("preset", PLANES)
def test_record_replay_figure_of_every_2d_preset_without_torch_is_the_live_svg(
    preset, tmp_path, capsys
):
    rec, live = tmp_path / "run.jsonl.gz", tmp_path / "live.svg"
    argv = ["figure", "--preset", preset, *RUN, "--record", str(rec), "-o", str(live)]
    assert cli.main(argv) == 0
    kinds = static.KINDS["regions"]
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {tmp_path / f'live-{kind}.svg'}" for kind in kinds
    ]
    replays_to_its_end_without_torch(rec)
    gif = tmp_path / "free.gif"
    done = without("torch,textual", "figure", rec, "-o", tmp_path / "free.svg", "--gif", gif)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 [] []"  # nothing blocked was even tried
    for kind in kinds:
        made = (tmp_path / f"live-{kind}.svg").read_bytes()
        assert made == (tmp_path / f"free-{kind}.svg").read_bytes(), kind
    with Image.open(gif) as image:
        assert image.n_frames > 3 * len(read(rec).frames[-1].snapshot.scene.tasks) // 2


def test_side_by_side_a_figure_from_the_recording_is_the_live_svg(tmp_path):
    rec = tmp_path / "side.jsonl.gz"
    argv = [
        "figure",
        "--preset",
        "blobs-task",
        "--compare",
        "naive,ewc",
        *RUN,
        "--record",
        str(rec),
    ]
    assert cli.main([*argv, "-o", str(tmp_path / "live.svg")]) == 0
    assert cli.main(["figure", str(rec), "-o", str(tmp_path / "back.svg")]) == 0
    for kind in (*static.KINDS["regions"], "summary"):
        made = (tmp_path / f"live-{kind}.svg").read_bytes()
        assert made == (tmp_path / f"back-{kind}.svg").read_bytes(), kind


def test_the_regions_are_the_recorded_class_grid_titled_with_the_recorded_accuracy(blobs):
    snap = read(blobs[1]).frames[-1].snapshot
    fig = static.build("regions", snap, "light", (1200, 500), 100)
    axes = [ax for ax in fig.axes if ax.images]
    assert len(axes) == len(snap.ghosts) == 3  # a panel per task end
    tints = region_tints("light", 6)
    side = snap.scene.grid.shape[1]
    for end, (ax, ghost) in enumerate(zip(axes, snap.ghosts, strict=True)):
        drawn = ax.images[0].get_array()
        np.testing.assert_array_equal(drawn, tints[ghost.reshape(side, side)])
        mean = 100 * np.mean(snap.accuracy_matrix[end][: end + 1])
        assert ax.get_title().startswith(f"after task {end + 1}: {mean:.0f} % on task")
        faint = [c.get_alpha() for c in ax.collections]  # a task not trained by then
        assert faint.count(planes.UNSEEN_ALPHA) == 2 * (2 - end), faint
    assert len(set(map(bytes, (np.asarray(g, dtype=np.int64) for g in snap.ghosts)))) == 3


def test_side_by_side_the_figure_keeps_the_same_frames_on_every_run(tmp_path):
    """A comparison's figures and GIF are made from frames kept every few epochs, as one
    run's are, not from what the runner published on the clock (14 frames for 3 tasks at
    full speed, a different count on every run): the same frames, each epoch at 4 a task."""
    steps = []
    for name in ("one", "two"):
        rec = tmp_path / f"{name}.jsonl"
        argv = ["figure", "--preset", "blobs-class", "--compare", "naive,ewc", *RUN]
        assert cli.main([*argv, "--record", str(rec), "-o", str(tmp_path / f"{name}.svg")]) == 0
        steps.append([frame.snapshot.runs[0].step for frame in read(rec).frames])
    assert steps[0] == steps[1]
    per_epoch = read(rec).frames[-1].snapshot.runs[0].step // (3 * 4)
    assert set(range(0, 3 * 4 * per_epoch + 1, per_epoch)) <= set(steps[0])


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A recording of blobs-class, naive and replay side by side (a small model)."""
    from cftui.live.runner import Runner
    from cftui.results import record
    from cftui.train import catalog

    from conftest import small

    path = tmp_path_factory.mktemp("compared") / "compare.jsonl"
    with record.Recorder(path) as recorder:
        config = small(catalog.resolve("blobs-class"), epochs=4)
        Runner(config, methods=["naive", "replay"]).run(recorder)
    return path


def test_side_by_side_the_regions_are_a_column_per_method_a_row_per_task_end(compared):
    comparison = read(compared).frames[-1].snapshot
    fig = static.build("regions", comparison, "light", (800, 1200), 100)
    grid = np.array([ax for ax in fig.axes if ax.images]).reshape(3, 2)  # row-major
    assert [ax.get_title().split("\n")[0] for ax in grid[0]] == ["naive", "replay"]
    for column, snap in zip(grid.T, comparison.runs, strict=True):
        for ax, ghost in zip(column, snap.ghosts, strict=True):
            side = snap.scene.grid.shape[1]
            expected = region_tints("light", 6)[ghost.reshape(side, side)]
            np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    assert static.kinds(comparison) == (*static.KINDS["regions"], "summary")
    summary = static.build("summary", comparison, "light", (1200, 300), 100)
    cells = summary.axes[0].tables[0].get_celld()
    last = comparison.runs[1].accuracy_matrix[-1]  # replay's, in percent
    assert [cells[2, j].get_text().get_text() for j in range(3)] == [f"{100 * v:.3g}" for v in last]
    assert cells[0, 3].get_text().get_text() == "average vs naive (pts)"


def test_the_accuracy_matrix_leaves_untrained_cells_out_of_its_scale(blobs):
    snap = read(blobs[1]).frames[-1].snapshot
    fig = static.build("matrix", snap, "light", (700, 500), 100)
    ax = fig.axes[0]
    shown = ax.images[0].get_array()
    assert shown.mask.tolist() == np.triu(np.ones((3, 3), bool), 1).tolist()
    np.testing.assert_array_equal(shown.data, np.asarray(snap.accuracy_matrix))
    assert (ax.images[0].norm.vmin, ax.images[0].norm.vmax) == (0.0, 1.0)
    styles = [t.get_fontstyle() for t in ax.texts]
    assert styles.count("italic") == 3 and ax.texts[0].get_text().endswith(" %")


def test_under_the_accuracy_matrix_is_why_it_forgot_the_recorded_confusion(blobs, tmp_path):
    """The matrix figure's second row: the run's last confusion matrix (each row's shares, in
    %) and each class's mean logit, from the recording; a recording without one says so."""
    snap = read(blobs[1]).frames[-1].snapshot
    fig = static.build("matrix", snap, "light", (700, 900), 100)
    confusion_ax = fig.axes[1]
    shares = snap.confusion.counts / snap.confusion.counts.sum(1, keepdims=True)
    np.testing.assert_allclose(confusion_ax.images[0].get_array(), 100 * shares)
    rows = [label.get_text() for label in confusion_ax.get_yticklabels()]
    assert rows == ["task 1: 1", "task 1: 2", "task 2: 3", "task 2: 4", "task 3: 5", "task 3: 6"]
    (bars,) = confusion_ax.child_axes
    assert bars.get_ylabel() == "mean logit"
    heights = [patch.get_height() for patch in bars.patches]
    np.testing.assert_allclose(heights, snap.confusion.logits, rtol=1e-6)
    early = next(f.snapshot for f in read(blobs[1]).frames if f.snapshot.task == 0)
    fig = static.build("matrix", early, "light", (700, 900), 100)
    rows = [label.get_text() for label in fig.axes[1].get_yticklabels()]
    assert rows == ["task 1: 1", "task 1: 2"]  # as the app's panel: no untrained task's row
    old = dataclasses.replace(snap, confusion=None)
    fig = static.build("matrix", old, "light", (700, 900), 100)
    assert [t.get_text() for t in fig.axes[1].texts] == ["no confusion matrix recorded"]


def test_a_one_panel_regions_figure_lays_its_class_legend_in_rows_that_fit(blobs):
    """Mid task 1 the regions figure is one panel (480 px): its six classes' legend goes in
    rows of 3, not one row of 6 cut at both ends."""
    early = next(f.snapshot for f in read(blobs[1]).frames if f.snapshot.task == 0)
    fig = static.build("regions", early, "light", static.default_size("regions", early), 100)
    fig.canvas.draw()
    box = fig.legends[0].get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width


def test_the_gif_animates_the_regions_beside_the_accuracy_and_holds_the_last_frame(blobs):
    folder, rec = blobs
    frames = read(rec).frames
    snaps = [frame.snapshot for frame in frames]
    movie = animate.Animation(snaps, "light", animate.SIZE, animate.DPI)
    side = snaps[-1].scene.grid.shape[1]
    for k in (1, len(snaps) // 2, len(snaps) - 1):
        movie.update(k)
        expected = region_tints("light", 6)[snaps[k].fit.reshape(side, side)]
        ((picture, chart),) = movie.parts
        np.testing.assert_array_equal(picture.image.get_array(), expected)
        np.testing.assert_array_equal(chart.lines[0].get_ydata(), snaps[k].test_accuracy[:, 0])
    assert chart.lines[0].axes.get_ylim() == (-0.02, 1.02)  # accuracy, not a log loss axis
    out = folder / "run.gif"
    argv = ["figure", str(rec), "--only", "data", "-o", str(folder / "d.png"), "--gif", str(out)]
    assert cli.main(argv) == 0
    with Image.open(out) as gif:
        assert (gif.n_frames, gif.size) == (len(animate.pick(frames, 10)), (800, 400))
        gif.seek(gif.n_frames - 1)
        assert gif.info["duration"] >= 1900


def test_side_by_side_the_gif_is_a_column_per_method_each_regions_over_its_chart(compared):
    frames = read(compared).frames
    shown = [frame.snapshot for frame in frames]
    movie = animate.Animation(shown, "light", animate.default_size(shown[-1]), animate.DPI)
    assert [picture.image.axes.get_title() for picture, _ in movie.parts] == ["naive", "replay"]
    for k in (0, len(shown) - 1):
        movie.update(k)
        for (picture, chart), snap in zip(movie.parts, shown[k].runs, strict=True):
            side = snap.scene.grid.shape[1]
            expected = region_tints("light", 6)[snap.fit.reshape(side, side)]
            np.testing.assert_array_equal(picture.image.get_array(), expected)
            np.testing.assert_array_equal(chart.lines[2].get_ydata(), snap.test_accuracy[:, 2])
    out = compared.with_name("side.gif")
    argv = ["figure", str(compared), "--only", "data", "-o", str(out.with_suffix(".png"))]
    assert cli.main([*argv, "--gif", str(out)]) == 0
    with Image.open(out) as gif:
        assert gif.size == (2 * animate.COLUMN_PX[0] + 40, animate.COLUMN_PX[1])
        assert gif.n_frames == len(animate.pick(frames, animate.FPS))


@pytest.mark.parametrize(
    ("preset", "kind", "has"),
    [("blobs-class", "fit", "data, loss, accuracy, regions, matrix, summary"),
     ("polynomial", "regions", "data, loss, fit, matrix, summary")],
)  # fmt: skip
def test_a_figure_of_the_other_problem_is_one_line_and_exit_2(preset, kind, has, tmp_path, capsys):
    argv = ["figure", "--preset", preset, *RUN, "--only", kind, "-o", str(tmp_path / "x.png")]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        f"cftui: error: --only: {kind}: is not a figure of this run; it has {has}\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_task_scenario_says_which_head_answers_a_cell(tmp_path):
    rec = tmp_path / "task.jsonl"
    argv = ["figure", "--preset", "blobs-task", *RUN, "--record", str(rec), "--only", "data"]
    assert cli.main([*argv, "-o", str(tmp_path / "t.png")]) == 0
    snap = read(rec).frames[-1].snapshot
    fig = static.build("regions", snap, "light", (1200, 500), 100)
    assert fig.get_supxlabel() == planes.HEAD_NOTE
    assert len(panels.picture_ends(snap)) == 3


def test_the_three_scenarios_figure_is_a_row_per_scenario_a_column_per_method(
    tmp_path, monkeypatch, capsys
):
    """`figure --scenarios`: the tour's three presets, the same methods side by side in
    each; every panel is that run's regions after its last task."""
    from cftui.commands import figure as figure_command
    from cftui.commands import scenarios_figure

    trained = []
    train = figure_command._train
    monkeypatch.setattr(
        figure_command,
        "_train",
        lambda args, config: trained.append(train(args, config)) or trained[-1],
    )
    drawn = []
    draw = planes.scenarios
    monkeypatch.setattr(
        planes, "scenarios", lambda fig, rows, style: drawn.append(fig) or draw(fig, rows, style)
    )
    out = tmp_path / "three.svg"
    argv = ["figure", "--scenarios", "--compare", "naive,replay", *RUN, "-o", str(out)]
    assert cli.main(argv) == 0
    path = tmp_path / "three-scenarios.svg"
    assert capsys.readouterr().out.splitlines() == [f"wrote {path}"]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    rows = [frames[-1].snapshot for frames in trained]
    assert [row.runs[0].scene.config.name for row in rows] == list(scenarios_figure.PRESETS)
    assert all(row.methods == ("naive", "replay") for row in rows)
    axes = [ax for ax in drawn[0].axes if ax.images]
    assert len(axes) == 3 * 2
    for ax, snap in zip(axes, [snap for row in rows for snap in row.runs], strict=True):
        side = snap.scene.grid.shape[1]
        tints = region_tints("light", snap.scene.config.data.n_classes)
        np.testing.assert_array_equal(
            ax.images[0].get_array(), tints[snap.ghosts[-1].reshape(side, side)]
        )
        assert ax.get_title().endswith(f"{100 * np.mean(snap.accuracy_matrix[-1]):.0f} %")
    labels = [axes[k].get_ylabel().split("\n")[0] for k in (0, 2, 4)]
    assert labels == ["class-incremental", "task-incremental", "domain-incremental"]


@pytest.mark.parametrize(
    ("flags", "named"),
    [(["--preset", "polynomial"], "--preset"), (["--gif", "x.gif"], "--gif"),
     (["--only", "regions"], "--only"), (["--compare", "naive,multihead"], "--compare")],
)  # fmt: skip
def test_the_scenarios_figure_refuses_one_runs_flags_in_one_line(flags, named, tmp_path, capsys):
    argv = ["figure", "--scenarios", *RUN, *flags, "-o", str(tmp_path / "s.png")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"cftui: error: {named}"), err
    assert list(tmp_path.iterdir()) == []
