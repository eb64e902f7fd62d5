"""The figures of a digits run (issue 35): record -> replay -> figure with torch, Textual and
scikit-learn blocked gives the very SVG bytes made live, one method or side by side; the
kinds are a classification's with the shown digits in the regions' place, each answer
marked right or wrong as the recording holds it; the GIF animates the confusion and
accuracy matrices, a frame per epoch, and holds its last frame; the app's "g" saves them."""

import itertools

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image
from test_digits import tiny
from test_figures import without
from test_figures_app import notices_after_g

from cftui import cli
from cftui.commands import figure as figure_command
from cftui.figures import animate, digits, planes, static
from cftui.figures.confusion import row_shares
from cftui.results.recording import read
from cftui.train.snapshot import Comparison, State

from tui_helpers import drive, until

EPOCHS = 3
RUN = ["--epochs", str(EPOCHS), "--device", "cpu"]  # the shipped network, 3 epochs a task
KINDS = ["loss", "accuracy", "digits", "matrix"]


@pytest.fixture(scope="module")
def naive(tmp_path_factory):
    """digits-class, naive, trained by `cftui figure` (its figures as SVG and a GIF), and
    its recording; what it printed."""
    folder = tmp_path_factory.mktemp("digits")
    rec, gif = folder / "run.jsonl.gz", folder / "live.gif"
    argv = ["figure", "--preset", "digits-class", *RUN, "--record", str(rec), "--gif", str(gif)]
    done = without("textual", *argv, "-o", folder / "live.svg")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warning either (an empty matrix once overflowed a colormap)
    return folder, rec, done.stdout.splitlines()


def test_a_digits_run_has_a_classifications_figures_with_the_digits(naive):
    folder, _, said = naive
    assert said[:-2] == [f"wrote {folder / f'live-{kind}.svg'}" for kind in KINDS]
    assert static.KINDS["digits"] == tuple(KINDS)


def test_record_replay_figure_without_torch_or_scikit_learn_is_the_live_svg(naive):
    folder, rec, _ = naive
    free = folder / "free.svg"
    done = without("torch,textual,sklearn", "figure", rec, "-o", free)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 [] []"  # nothing blocked was even tried
    for kind in KINDS:
        made = (folder / f"live-{kind}.svg").read_bytes()
        assert made == (folder / f"free-{kind}.svg").read_bytes(), kind


def test_side_by_side_a_figure_from_the_recording_is_the_live_svg(tmp_path):
    rec = tmp_path / "side.jsonl"
    argv = ["figure", "--preset", "digits-class", "--compare", "naive,replay", *RUN]
    assert cli.main([*argv, "--record", str(rec), "-o", str(tmp_path / "live.svg")]) == 0
    done = without("torch,textual,sklearn", "figure", rec, "-o", tmp_path / "back.svg")
    assert done.returncode == 0, done.stderr
    for kind in (*KINDS, "summary"):
        made = (tmp_path / f"live-{kind}.svg").read_bytes()
        assert made == (tmp_path / f"back-{kind}.svg").read_bytes(), kind
    fig = static.build("digits", read(rec).frames[-1].snapshot, "light", (1400, 1400), 60)
    heads = [ax.get_title().split("\n")[0] for ax in fig.axes if ax.get_title().count("\n")]
    assert heads == ["naive", "replay"]  # a column per method, each headed by its name


def test_each_panel_marks_the_recorded_answers_after_each_task(naive):
    """A panel per task end; under each shown digit of a trained task its answer, "✗" where
    it is not the digit; the tasks not trained yet unanswered; the accuracy in the title.
    After task 3 of class-incremental fine-tuning, the digits 0-3 are answered 4 or 5."""
    snap = read(naive[1]).frames[-1].snapshot
    fig = static.build("digits", snap, "light", (700, 1400), 60)
    axes = [ax for ax in fig.axes if ax.images]
    assert len(axes) == len(snap.ghosts) == 5
    task, index = snap.scene.grid
    truth = np.array([snap.scene.tasks[k].y_test[i] for k, i in zip(task, index, strict=True)])
    for end, (ax, answers) in enumerate(zip(axes, snap.ghosts, strict=True)):
        trained = task <= end
        written = [t.get_text() for t in ax.texts]
        expected = [
            ("=" if answer == digit else "✗") + str(answer)
            for answer, digit in zip(answers[trained], truth[trained], strict=True)
        ]
        assert written == expected
        assert ax.get_title() == planes.end_title(snap, end)
    after_3 = snap.ghosts[2][task <= 1]
    assert np.isin(after_3, [4, 5]).mean() >= 0.9
    assert written.count("✗8") + written.count("✗9") > 0  # after task 5: the newest pair


def test_the_gif_shows_the_two_matrices_a_frame_per_epoch_and_holds_the_last(naive):
    folder, rec, said = naive
    frames = read(rec).frames
    count = 1 + 5 * EPOCHS  # the start, then a frame per epoch of each task
    assert len(frames) == count
    assert said[-2] == f"wrote {folder / 'live.gif'} ({count} frames at 10 a second)"
    with Image.open(folder / "live.gif") as gif:
        assert gif.n_frames == count
        gif.seek(count - 1)
        assert gif.info["duration"] >= animate.HOLD_S * 1000 - 100
    movie = animate.Animation([f.snapshot for f in frames], "light", animate.SIZE, 100)
    confusion, accuracy = movie.parts[0]
    # before a frame, the matrix is masked over nan, not over uninitialised memory, which
    # matplotlib colours (an overflow warning) before it masks it
    assert np.isnan(accuracy.image.get_array().data).all()
    movie.update(count - 1)
    last = frames[-1].snapshot
    np.testing.assert_array_equal(
        confusion.image.get_array(), 100 * row_shares(last.confusion.counts)
    )
    written = [text.get_text() for text in accuracy.texts]
    assert written[-1] == f"{100 * last.accuracy_matrix[-1][-1]:.0f} %"
    assert written[1] == ""  # task 2 after task 1: not trained yet, no cell
    movie.update(0)  # before any task ended: an empty accuracy matrix
    assert {text.get_text() for text in accuracy.texts} == {""}


def test_g_in_a_digits_run_saves_its_figures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        said = await notices_after_g(app, pilot)
        assert any(m.endswith("-*.png: loss, accuracy, digits, matrix") for m in said), said

    drive(tiny("digits-class"), script, size=(120, 40))
    made = sorted(path.name.rsplit("-", 1)[1] for path in tmp_path.glob("*.png"))
    assert made == ["accuracy.png", "digits.png", "loss.png", "matrix.png"]
    with Image.open(tmp_path / next(tmp_path.glob("*-digits.png"))) as image:
        assert image.size[0] == digits.PANEL_PX[0] + 160  # one method's column


def test_every_picture_a_view_draws_is_recorded_drawn_and_animated():
    """A problem's picture (the app's panels) has a recording codec, a header and frame
    check, figures and a GIF: a new picture missing one is caught here, not by a user."""
    from cftui.figures import motion
    from cftui.results import recording_headers, recording_schema
    from cftui.results.recording_codecs import HELD
    from cftui.tui.widgets.pictures import PICTURES

    drawn = set(PICTURES)
    assert drawn == {"fit", "regions", "digits"}
    assert set(static.KINDS) == set(static.DRAW) == set(motion.MOTIONS) == drawn
    assert set(HELD) == set(recording_schema.PICTURES) == drawn
    assert set(recording_headers.PICTURES.values()) == drawn
    for picture, kinds in static.KINDS.items():
        assert set(kinds) <= set(static.DRAW[picture]), picture
    # --only's choices, kept in commands/figure.py so that --help imports no matplotlib
    every = {kind for kinds in static.KINDS.values() for kind in kinds} | set(static.SIDE_BY_SIDE)
    assert set(figure_command.KINDS) == every


def overlapping(texts, renderer) -> list[str]:
    """The neighbours among ``texts`` (left to right, one row) whose drawn boxes overlap."""
    written = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]
    pairs = itertools.pairwise(written)
    return [f"{a} / {b}" for (a, left), (b, right) in pairs if left.x1 > right.x0]


@pytest.mark.parametrize("methods", [("naive",), ("naive", "ewc", "replay")])
def test_the_matrix_figure_at_its_size_writes_five_tasks_without_overlaps(naive, methods):
    """A digits run's accuracy matrix has 5 tasks: at the figure's own size its column
    labels ("task 1".."task 5") and each row's cells ("100 %") stand apart, one method or
    three side by side (at 480 px a method, a 2-D run's width, they ran into each other)."""
    snap = read(naive[1]).frames[-1].snapshot
    runs = (snap,) * len(methods)
    side = Comparison(runs, run=0, state=snap.state, pace=None, auto_advance=False)
    shown = side if len(methods) > 1 else snap
    fig = static.build("matrix", shown, "light", static.default_size("matrix", shown), static.DPI)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    for ax in [ax for ax in fig.axes if ax.get_xlabel() == "test accuracy on"]:
        assert overlapping(ax.get_xticklabels(), renderer) == []
        last_row = [t for t in ax.texts if t.get_position()[1] == 4]  # after task 5
        assert len(last_row) == 5
        assert overlapping(last_row, renderer) == []


def test_the_gif_side_by_side_writes_five_tasks_without_overlaps(tmp_path):
    """Three methods side by side: at the GIF's own size each column's accuracy matrix
    keeps its labels ("task 1".."task 5", "after task 1") and its cells ("100 %") apart
    (at 320 px a column, a 1-D run's, they ran into each other)."""
    rec = tmp_path / "side.jsonl"
    argv = ["figure", "--preset", "digits-class", "--compare", "naive,ewc,replay", *RUN]
    out = ["--only", "loss", "-o", str(tmp_path / "x.svg")]
    assert cli.main([*argv, "--record", str(rec), *out]) == 0
    frames = [frame.snapshot for frame in read(rec).frames]
    movie = animate.Animation(frames, "light", animate.default_size(frames[-1]), animate.DPI)
    movie.update(len(frames) - 1)
    renderer = FigureCanvasAgg(movie.fig).get_renderer()
    movie.fig.draw(renderer)
    for _, accuracy in movie.parts:
        texts = accuracy.texts
        assert overlapping(accuracy.image.axes.get_xticklabels(), renderer) == []
        assert overlapping(texts[-5:], renderer) == []  # after task 5: every cell written
        after_1 = accuracy.image.axes.get_yticklabels()[0].get_window_extent(renderer)
        assert after_1.x1 <= texts[0].get_window_extent(renderer).x0  # "after task 1" | "100 %"
