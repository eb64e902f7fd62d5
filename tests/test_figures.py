"""`cftui figure` and cftui.figures: every file decodes at the size asked, the animation has
the frames it promises, a figure from a recording is the one made live, and bad input is
one line and exit 2."""

import dataclasses
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from cftui import cli
from cftui.commands import figure as figure_command
from cftui.draw.task_style import TASK_COLORS
from cftui.figures import animate, motion, static, style
from cftui.results import record
from cftui.results.recording import read

RUN = ["--epochs", "8", "--device", "cpu"]  # the article's model, 8 epochs a task: 16 steps


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A run trained by `cftui figure` (its figures as SVG) and its recording."""
    folder = tmp_path_factory.mktemp("figures")
    rec = folder / "run.jsonl"
    assert cli.main(["figure", *RUN, "--record", str(rec), "-o", str(folder / "live.svg")]) == 0
    return folder, rec


def test_a_figure_from_a_recording_is_the_one_made_live_byte_for_byte(made, capsys):
    folder, rec = made
    assert cli.main(["figure", str(rec), "-o", str(folder / "replay.svg")]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said == [f"wrote {folder / f'replay-{kind}.svg'}" for kind in static.KINDS["fit"]]
    for kind in static.KINDS["fit"]:
        live = (folder / f"live-{kind}.svg").read_bytes()
        assert live == (folder / f"replay-{kind}.svg").read_bytes(), kind
        assert b"<dc:date>" not in live  # no date: the same run, the same bytes


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_every_figure_decodes_at_the_size_asked(made, suffix):
    folder, rec = made
    out = folder / f"sized{suffix}"
    argv = ["figure", str(rec), "-o", str(out), "--size", "640x360", "--dpi", "80"]
    assert cli.main(argv) == 0
    for kind in static.KINDS["fit"]:
        path = out.with_name(f"sized-{kind}{suffix}")
        if suffix == ".png":
            with Image.open(path) as image:
                image.load()
                assert image.size == (640, 360)
        elif suffix == ".svg":
            root = ET.parse(path).getroot()
            assert (root.get("width"), root.get("height")) == ("576pt", "324pt")  # at 72/80
        else:
            data = path.read_bytes()
            assert data.startswith(b"%PDF") and b"/MediaBox [ 0 0 576 324 ]" in data


def test_the_default_sizes_decode_and_the_dark_style_is_dark(made):
    folder, rec = made
    assert cli.main(["figure", str(rec), "-o", str(folder / "dark.png"), "--style", "dark"]) == 0
    with Image.open(folder / "dark-loss.png") as image:
        assert image.size == (1200, 750)
        corner = image.convert("RGB").getpixel((2, 2))
    assert corner == (0x15, 0x17, 0x1C)
    with Image.open(folder / "dark-fit.png") as image:  # a panel per task end: two
        assert image.size == (2 * static.PANEL_PX[0] + 160, static.PANEL_PX[1] + 120)


def test_each_task_has_the_apps_colour_and_its_own_line_and_marker(made):
    snap = read(made[1]).frames[-1].snapshot
    fig = static.build("loss", snap, "light", (800, 500), 100)
    lines = [line for line in fig.axes[0].lines if line.get_label() in ("task 1", "task 2")]
    palette = {"cyan": "#56b4e9", "magenta": "#cc79a7"}  # Okabe-Ito's, for the app's names
    assert [to_hex(line.get_color()) for line in lines] == [palette[c] for c in TASK_COLORS[:2]]
    assert len({str(line.get_linestyle()) for line in lines}) == 2
    data = static.build("data", snap, "light", (800, 500), 100)
    markers = [c.get_paths()[0].vertices.shape for c in data.axes[0].collections]
    assert len(markers) == 2 and markers[0] != markers[1]  # • and + in the app: o and P here
    assert style.task_color(6) == style.task_color(0)  # as the app, a cycle of six


@pytest.mark.parametrize(("fps", "expected"), [(10, 17), (2, 8)])
def test_a_gif_has_a_frame_per_recorded_frame_at_most_fps_a_second(made, fps, expected):
    """The made run has 17 frames 0.2 s apart (the start, then one an epoch): at 10 a second
    each is shown; at 2 a second, those due at 0, 0.5 ... 3.0 s (7), then the last."""
    folder, rec = made
    frames = read(rec).frames
    assert len(frames) == 17 and [f.t for f in frames[:3]] == [0.0, 0.2, 0.4]
    out, png = folder / f"run{fps}.gif", str(folder / "g.png")
    argv = ["--only", "loss", "-o", png, "--gif", str(out), "--fps", str(fps)]
    assert cli.main(["figure", str(rec), *argv]) == 0
    with Image.open(out) as gif:
        assert (gif.n_frames, gif.size, gif.info["duration"]) == (expected, (800, 400), 1000 // fps)
        gif.seek(gif.n_frames - 1)  # the last frame is held 2 s before the loop starts again
        assert gif.info["duration"] >= 2000 - 1000 // fps
    assert animate.pick(frames, fps)[-1] == len(frames) - 1


def test_the_animated_fit_axis_holds_every_ghost(made):
    """The ghost after task 1 reached 1.23 where the axis stopped near 0.9 (the points' and
    curves' range): the axis takes in every fit and ghost the frames draw."""
    from cftui.figures.panels import fit_values

    frames = read(made[1]).frames
    snaps = [frame.snapshot for frame in frames]
    last, tasks = snaps[-1], snaps[-1].scene.tasks
    data = np.concatenate([np.r_[t.y_train, t.curve_y] for t in tasks])
    above = np.full(len(last.scene.grid), data.max() + 0.3 * np.ptp(data))  # as 1.23 over 0.9
    snaps.append(dataclasses.replace(last, ghosts=(above, *last.ghosts[1:])))
    low, high = motion.fit_range(snaps)
    drawn = np.concatenate([v for snap in snaps for v in fit_values(snap)])
    assert low <= drawn[np.isfinite(drawn)].min() and drawn[np.isfinite(drawn)].max() <= high


def test_webp_is_animated_and_mp4_without_ffmpeg_is_one_line(made, monkeypatch, capsys):
    folder, rec = made
    out, png = folder / "run.webp", str(folder / "w.png")
    argv = ["--only", "data", "-o", png, "--gif", str(out), "--size", "400x200"]
    assert cli.main(["figure", str(rec), *argv]) == 0
    with Image.open(out) as webp:
        assert (webp.n_frames, webp.size) == (17, (400, 200))
    monkeypatch.setattr(animate.writers, "is_available", lambda name: False)
    capsys.readouterr()
    argv = ["--only", "data", "-o", png, "--gif", str(folder / "a.mp4")]
    assert cli.main(["figure", str(rec), *argv]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"cftui: error: {folder / 'a.mp4'}: an .mp4 needs ffmpeg on the PATH (or write .gif)"
    ]


def test_a_cut_recording_draws_its_whole_part_and_says_where_it_stopped(made, capsys):
    folder, rec = made
    lines = rec.read_bytes().splitlines(keepends=True)
    cut = folder / "cut.jsonl"
    cut.write_bytes(b"".join(lines[:10]) + lines[10][:20])  # 9 frames whole, the 10th half
    assert cli.main(["figure", str(cut), "--only", "loss", "-o", str(folder / "cut.png")]) == 0
    assert capsys.readouterr().err == f"cftui: {cut}: drawing up to line 11: cut short\n"
    whole = read(rec).frames
    prefix = read(cut).frames[-1].snapshot
    assert prefix.step == whole[8].snapshot.step < whole[-1].snapshot.step
    drawn = static.build("loss", prefix, "light", (600, 400), 100).axes[0].lines[0]
    np.testing.assert_array_equal(drawn.get_xdata(), whole[8].snapshot.steps)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--only", "loss,bogus"], "argument --only: unknown figure bogus; choose from data,"),
        (["--size", "1200"], "argument --size: '1200' is not WIDTHxHEIGHT in pixels"),
        (["--size", "10x400"], "argument --size: must be within 64..8000, got 10"),
        (["--fps", "0"], "argument --fps: must be within 1..60, got 0"),
        (["--fps", "ten"], "argument --fps: 'ten' is not a whole number"),
        (["-o", "out.jpg"], "argument -o/--out: 'out.jpg': name a .png, .svg, .pdf file"),
        (["--gif", "out.avi"], "argument --gif: 'out.avi': name a .gif, .webp, .mp4 file"),
    ],
)
def test_a_bad_flag_is_one_line_and_exit_2(made, capsys, argv, says):
    with pytest.raises(SystemExit) as done:
        cli.main(["figure", str(made[1]), "-o", str(made[0] / "bad.png"), *argv])
    assert done.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"cftui figure: error: {says}")


def test_a_foreign_file_or_flags_with_a_recording_are_one_line_and_exit_2(made, capsys):
    foreign = made[0] / "table.csv"
    foreign.write_text("a,b\n1,2\n")
    assert cli.main(["figure", str(foreign)]) == 2
    assert capsys.readouterr().err == f"cftui: error: {foreign}: format: not a cftui recording\n"
    assert cli.main(["figure", str(made[1]), "--epochs", "3", "-o", "x.png"]) == 2
    assert capsys.readouterr().err == "cftui: error: --epochs: trains a run: not with RECORDING\n"
    assert cli.main(["figure", str(made[1]), "--only", "summary", "-o", "x.png"]) == 2
    assert "summary: is the table of runs side by side" in capsys.readouterr().err


WITHOUT = """
import sys
class Block:  # as on a machine without these: any import of them fails, and is noted
    tried = []
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in sys.argv[1].split(","):
            Block.tried.append(name)
            raise ModuleNotFoundError(name, name=name.split(".")[0])
sys.meta_path.insert(0, Block())
from cftui import cli
code = cli.main(sys.argv[2:])
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "textual"})
print(code, sorted({n.split(".")[0] for n in Block.tried}), loaded)
"""


def without(blocked: str, *argv) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, blocked, *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_figures_and_a_gif_from_a_recording_need_no_torch_and_no_textual(made):
    folder, rec = made
    done = without(
        "torch,textual", "figure", rec, "-o", folder / "free.png", "--gif", folder / "free.gif"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 [] []"
    assert (folder / "free-matrix.png").exists() and (folder / "free.gif").exists()


def test_without_matplotlib_figure_is_one_line_naming_the_extra(made):
    done = without("matplotlib", "figure", made[1], "-o", made[0] / "none.png")
    assert done.stdout.splitlines()[-1].startswith("2 ['matplotlib']")
    assert done.stderr == (
        "cftui: error: cftui figure: needs matplotlib: pip install 'cftui[figures]'\n"
    )


def test_drive_publishes_the_same_frames_on_every_run(tiny):
    from cftui.train.trainer import Trainer

    runs = []
    for _ in range(2):
        frames = []
        figure_command.drive(Trainer(tiny), frames.append, every=2)
        runs.append([(s.step, s.task, s.epoch, str(s.state)) for s in frames])
    assert runs[0] == runs[1]
    assert [step for step, *_ in runs[0]][:4] == [0, 2, 4, 6] and runs[0][-1][3] == "finished"
    assert len(runs[0]) == 1 + 2 * tiny.train.epochs // 2  # the start, then every 2 epochs


def test_several_seeds_shade_each_tasks_range_between_its_lowest_and_highest(tiny, tmp_path):
    from cftui.live.runner import Runner

    with record.Recorder(tmp_path / "seeds.jsonl") as recorder:
        Runner(tiny, seeds=[0, 1, 2]).run(recorder)
    snap = read(tmp_path / "seeds.jsonl").frames[-1].snapshot
    ax = static.build("loss", snap, "light", (800, 500), 100).axes[0]
    bands = [c for c in ax.collections if type(c).__name__ == "FillBetweenPolyCollection"]
    assert len(bands) == 2
    for j, band in enumerate(bands):
        ys = band.get_paths()[0].vertices[:, 1]
        low, high = (edge[:, j] for edge in snap.loss_band)
        assert np.isclose(ys.min(), low.min()) and np.isclose(ys.max(), high.max())
        assert to_hex(band.get_facecolor()[0]) == style.task_color(j).lower()
    assert "the median, the range shaded" in static.title(snap)


def test_side_by_side_the_panels_share_their_axes_and_the_summary_is_the_metrics(tiny, tmp_path):
    from cftui.live.runner import Runner
    from cftui.train import metrics

    with record.Recorder(tmp_path / "compare.jsonl") as recorder:
        Runner(tiny, methods=["naive", "ewc", "replay"]).run(recorder)
    comparison = read(tmp_path / "compare.jsonl").frames[-1].snapshot
    for kind in ("loss", "fit", "matrix"):
        axes = static.build(kind, comparison, "light", (1200, 420), 100).axes[:3]
        assert [
            ax.get_title().split(":")[-1 if kind == "matrix" else 0].strip() for ax in axes
        ] == [
            "naive",
            "ewc",
            "replay",
        ]
        assert all(ax.get_ylim() == axes[0].get_ylim() for ax in axes), kind
        assert all(axes[0].get_shared_y_axes().joined(axes[0], ax) for ax in axes), kind
        assert all(ax.get_xlim() == axes[0].get_xlim() for ax in axes), kind
    summary = static.build("summary", comparison, "light", (1200, 320), 100)
    assert summary.get_suptitle() == static.title(comparison.lead, comparison.methods)  # caption
    cells = summary.axes[0].tables[0].get_celld()
    assert cells[0, 2].get_text().get_text() == "task 1 vs naive (%)"  # as the app's table
    naive = comparison.runs[0].loss_matrix[-1][0]
    for row, snap in enumerate(comparison.runs, start=1):
        matrix = snap.loss_matrix
        forgetting = np.mean(metrics.forgetting(matrix))
        shown = [cells[row, col].get_text().get_text() for col in range(5)]
        versus = 100 * (matrix[-1][0] / naive - 1) if row > 1 else None
        expected = [*matrix[-1], versus, forgetting, metrics.backward_transfer(matrix)]
        assert shown == [f"{value:.3g}" if value is not None else "—" for value in expected]
        assert cells[row, -1].get_text().get_text() == snap.scene.config.method.name


@pytest.mark.parametrize("compare", [(), ("--compare", "naive,ewc")])
def test_figure_shows_its_training_as_run_does(tmp_path, monkeypatch, compare):
    """A bar per task moves as `figure` trains (37 s at the article's size, in silence before),
    side by side too: each frame it keeps reaches the bars."""
    from cftui.commands.run import ProgressBars

    seen = []
    shown = ProgressBars.publish
    monkeypatch.setattr(
        ProgressBars, "publish", lambda bars, snap: seen.append(snap) or shown(bars, snap)
    )
    out = tmp_path / "f.svg"
    assert (
        cli.main(
            ["figure", *RUN, *compare, "--only", "loss" if not compare else "fit", "-o", str(out)]
        )
        == 0
    )
    epochs = [getattr(snap, "lead", snap).epoch for snap in seen]  # side by side: 5 a second
    assert epochs[-1] == 8 and len(set(epochs)) >= (2 if compare else 3), epochs


def test_the_matrix_figure_leaves_untrained_cells_out_of_its_scale(made):
    """Task 2 after task 1 (not trained yet) was the scale's brightest cell: now it is grey,
    written in italics, and the scale spans the trained cells only."""
    from matplotlib.figure import Figure

    from cftui.figures import panels

    snap = read(made[1]).frames[-1].snapshot
    trained = [snap.loss_matrix[0][0], *snap.loss_matrix[1]]
    snap = dataclasses.replace(snap, loss_matrix=((trained[0], 50.0), tuple(trained[1:])))
    norm = panels.shared_norm([snap])
    assert norm.vmax < 50.0  # the untrained 50 is out of the scale
    ax = Figure().add_subplot()
    panels.matrix(ax, snap, norm, "light")
    shown = ax.images[0].get_array()
    assert shown.mask.tolist() == [[False, True], [False, False]]
    styles = {text.get_text(): text.get_fontstyle() for text in ax.texts}
    assert styles["50"] == "italic" and styles[f"{trained[0]:.3g}"] == "normal"
