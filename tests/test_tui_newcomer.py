"""What a newcomer tripped over (issue 22), at 80x24 and 120x40, with and without colour:
the seeds and a recording named on screen, tick boxes that differ in shape, a broken
preset's file name reachable in the picker, messages that break paths at separators, and
screenshots without the notifications."""

import html
import re

import pytest

from cftui import cli
from cftui.results.record import Recorder
from cftui.train import catalog
from cftui.train.snapshot import State
from cftui.tui.compare_picker import ComparePicker
from cftui.tui.compare_view import MethodPanel
from cftui.tui.files import wrap_at_separators
from cftui.tui.screens import Picker
from cftui.tui.widgets.fit import AXIS_WIDTH, FitPlot
from cftui.tui.widgets.loss_chart import LossChart

from tui_helpers import drive, screen_text, until

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("compare", [(), ("naive", "ewc")])
def test_several_seeds_are_named_on_the_status_line(tiny, size, compare, colour):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        first = screen_text(app).splitlines()[0]
        assert ("median of 3 seeds" if size[0] >= 120 else " · 3 seeds · ") in first

    drive(tiny, script, size=size, seeds=3, compare=compare)


@pytest.mark.parametrize("size", SIZES)
def test_one_seed_says_nothing_of_seeds(tiny, size):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert "seeds" not in screen_text(app).splitlines()[0]

    drive(tiny, script, size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_recording_shows_rec_and_its_file(tiny, tmp_path, size, colour):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        first = screen_text(app).splitlines()[0]
        assert ("● rec run.jsonl" if size[0] >= 120 else " · ● rec · ") in first
        assert "4 seeds · ● rec" in first and "…" not in first  # both, whole, at 80 too

    with Recorder(tmp_path / "run.jsonl") as recorder:
        drive(tiny, script, size=size, recorder=recorder, seeds=4)


def test_quitting_a_recording_prints_its_path_and_size(tmp_path, monkeypatch, capsys):
    from cftui.tui.app import CftuiApp

    def run(app):  # what the app would record, without a terminal
        app.recorder._file.write("x" * 1500)

    monkeypatch.setattr(CftuiApp, "run", run)
    path = tmp_path / "run.jsonl"
    assert cli.main(["--record", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == f"recorded {path} (1.5 kB): cftui replay {path}\n"


@pytest.mark.parametrize("size", SIZES)
def test_ticked_and_unticked_boxes_differ_in_shape(tiny, size, colour):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("c")
        assert isinstance(app.screen, ComparePicker)
        await pilot.press("down", "space")  # ticks the second method, joint
        lines = screen_text(app).splitlines()
        boxes = {name: _box(lines, name) for name in ("naive", "joint", "ewc", "si")}
        assert boxes == {"naive": "▐X▌", "joint": "▐X▌", "ewc": "▐ ▌", "si": "▐ ▌"}

    drive(tiny, script, size=size)


def _box(lines: list[str], name: str) -> str:
    """The tick box drawn before method ``name`` in the picker."""
    line = next(line for line in lines if re.search(rf"▌ {name}  ", line))
    at = line.index(f"▌ {name}  ")
    return line[at - 2 : at + 1]


@pytest.mark.parametrize("size", SIZES)
def test_a_broken_presets_file_and_problems_are_reachable(
    tiny, tmp_path, monkeypatch, size, colour
):
    """A user's broken preset sorts first ("bad"), above the preset on screen: the arrows
    reach it, and it shows from the line naming its file; enter on it chooses nothing."""
    folder = tmp_path / "cftui" / "presets"
    folder.mkdir(parents=True)
    keys = ["noise = -1", "seed = 'x'", "n_tasks = -1", "points_per_task = -5", "bogus = 1"]
    (folder / "bad.toml").write_text('name = "bad"\n[data]\n' + "\n".join(keys) + "\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (broken,) = [entry for entry in catalog.available() if entry.config is None]

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("p")
        assert isinstance(app.screen, Picker)
        names = [entry.name for entry in catalog.available()]
        assert names[0] == "bad"
        for _ in range(names.index(tiny.name)):  # up to the first entry
            await pilot.press("up")
        text = screen_text(app)
        assert "skipped:" in text and "bad.toml" in text
        assert "must be >= 0" in text or "unknown key" in text
        await pilot.press("enter")
        assert isinstance(app.screen, Picker) and app.snapshot.scene.config.name == tiny.name

    assert len(broken.error.splitlines()) == len(keys)
    drive(tiny, script, size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_screenshot_leaves_the_notifications_out(tiny, tmp_path, monkeypatch, size, colour):
    monkeypatch.chdir(tmp_path)

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("l")  # a "loss axis: linear" notification
        assert "loss axis: linear" in screen_text(app)
        await pilot.press("s")
        await pilot.pause(0.2)

    drive(tiny, script, size=size, notifications=True)
    (saved,) = tmp_path.glob("*.svg")
    picture = html.unescape(saved.read_text()).replace("\xa0", " ")
    assert "test MSE per task" in picture and "loss axis" not in picture


@pytest.mark.parametrize("size", SIZES)
def test_the_export_message_breaks_its_paths_at_separators(
    tiny, tmp_path, monkeypatch, size, colour
):
    folder = tmp_path / "exports-of-this-run"
    folder.mkdir()
    monkeypatch.chdir(folder)

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("e")
        await pilot.pause(0.2)
        message = list(app._notifications)[-1].message
        lines = message.splitlines()
        assert len(lines) > 1
        text = screen_text(app)
        for line in lines:
            assert line in text  # each line whole, not wrapped again by the toast
            assert line == lines[-1] or line[-1] in "/-_, " or line.endswith(".csv,")

    drive(tiny, script, size=size, notifications=True)


def test_wrapping_breaks_after_separators_only():
    path = "saved /tmp/some-folder/polynomial-naive-seed0-20261203-194027-matrix.csv"
    lines = wrap_at_separators(path, 24).splitlines()
    assert lines == [
        "saved /tmp/some-folder/",
        "polynomial-naive-seed0-",
        "20261203-194027-",
        "matrix.csv",
    ]
    assert wrap_at_separators("x" * 30, 24).splitlines() == ["x" * 24, "x" * 6]  # no separator


def _x_labels(chart) -> list[int]:
    """The loss chart's x tick labels, left to right (its last row of numbers)."""
    rows = [row for row in chart.text.plain.splitlines() if re.fullmatch(r"[\s\d]+", row)]
    return [int(label) for label in rows[-1].split()]


def _y_labels(fit) -> list[float]:
    """The fit panel's y labels, top to bottom (the x axis and the legend leave it blank)."""
    rows = fit.text.plain.splitlines()
    return [float(row[:AXIS_WIDTH]) for row in rows if row[:AXIS_WIDTH].strip()]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("compare", [(), ("naive", "ewc", "si", "replay")])
def test_the_axes_end_at_the_data_and_label_round_values(tiny, size, compare, colour):
    """A run of 40 steps: the loss chart's x axis ends at 40 (not 50, a fifth empty); the
    fit's y labels are round (-1, 0, not 0.743, -0.563)."""

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("a")
        snap = await until(pilot, lambda s: s.state is State.FINISHED)
        assert snap.step == 40
        for chart in app.query(LossChart):
            if chart.display and chart.size.area:
                assert _x_labels(chart)[-1] == 40 and _x_labels(chart)[0] == 0
        fits = [fit for fit in app.query(FitPlot) if fit.size.area and fit.snap]
        for fit in fits:
            labels = _y_labels(fit)
            assert len(labels) >= 2 and all(v * 2 == round(v * 2) for v in labels), labels

    drive(tiny, script, size=size, compare=compare)


@pytest.mark.parametrize("size", SIZES)
def test_side_by_side_the_legend_is_drawn_once_for_every_panel(tiny, size, colour):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("a")
        await until(pilot, lambda s: s.state is State.FINISHED)
        text = screen_text(app)
        assert text.count("fit now") == 1  # at 80x24 too: the fits, not the charts (v)
        assert text.count("after task 1") == 1
        for fit in app.query(FitPlot):
            assert "fit now" not in fit.text.plain  # no panel spends its rows on it
        panels = len(app.query(MethodPanel))  # each names its curves on its bottom edge
        assert panels == (4 if size[0] >= 120 else 2)
        assert text.count("⢕⢕ task 1  ▞▞ task 2") == panels

    drive(tiny, script, size=size, compare=("naive", "ewc", "si", "replay"))


def test_switching_preset_while_recording_1d_to_2d_and_back_records_each_scene(tiny, tmp_path):
    """Issue 32: picking blobs-class while recording crashed the training thread (the
    recorder read a fit from a plane). Each preset picked begins a new scene of the same
    file, a fit's or a plane's, and the file reads back whole."""
    from cftui.results import recording

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        for name in ("blobs-class", "polynomial"):
            await pilot.press("p")
            picker = app.screen
            names = [entry for entry, _, _ in picker.entries]
            picker.query_one("OptionList").highlighted = names.index(name)
            await pilot.press("enter")
            await until(pilot, lambda s, name=name: s.scene.config.name == name and s.step > 0)
            assert not app.error

    path = tmp_path / "run.jsonl"
    with Recorder(path) as recorder:
        drive(tiny, script, recorder=recorder)
    read = recording.read(path)
    assert read.stopped == ""
    names = [frame.snapshot.scene.config.name for frame in read.frames]
    scenes = [name for i, name in enumerate(names) if i == 0 or names[i - 1] != name]
    assert scenes == ["polynomial", "blobs-class", "polynomial"]
    planes = [f.snapshot for f in read.frames if f.snapshot.scene.config.name == "blobs-class"]
    assert all(snap.fit.shape == (48 * 48,) for snap in planes)
