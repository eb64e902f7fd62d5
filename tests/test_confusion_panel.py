"""The `x` panel (why the classes are forgotten), driven as a user sees it: at 120x40 and 80x24,
in colour and as under NO_COLOR, it takes the accuracy matrix's place with a row per class of
the tasks trained so far, each cell the snapshot's own share, a bar per class; `x` again
brings the matrix back; 10 classes fit at 80x24; side by side each method shows its own; a
regression says it has none; `?` lists the key. And figures/confusion.py draws a fixed
matrix with the right cell labels and bars."""

import dataclasses
import json

import numpy as np
import pytest
from test_replay import replays_to_its_end_without_torch

from cftui.train import catalog
from cftui.train.snapshot import State
from cftui.tui.compare_view import MethodPanel
from cftui.tui.widgets.confusion import BARS, ConfusionPlot, share_cell
from cftui.tui.widgets.matrix import LossMatrix

from conftest import small
from tui_helpers import drive, screen_text, settled, until


def blobs(n_classes: int = 6, n_tasks: int = 3):
    config = small(catalog.resolve("blobs-class"), epochs=15, width=24)
    data = dataclasses.replace(config.data, n_classes=n_classes, n_tasks=n_tasks)
    layers = (*config.model.layers[:-1], n_classes)
    return dataclasses.replace(
        config, data=data, model=dataclasses.replace(config.model, layers=layers)
    )


def cells(row: str) -> list[str]:
    """A matrix row's cells after its label (`t1 1` or `1`)."""
    return row.split()[2:] if row.split()[0].startswith("t") else row.split()[1:]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_x_shows_the_confusion_in_the_matrix_place_and_back(colour, size):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("n")  # on to task 2
        snap = await until(pilot, lambda s: s.task == 1 and s.state is State.TASK_DONE)
        panel, matrix = app.query_one(ConfusionPlot), app.query_one(LossMatrix)
        assert not panel.display or not panel.size.area
        await pilot.press("x")
        await settled(pilot)
        assert panel.size.area and not matrix.size.area
        lines = panel.text.plain.split("\n")
        assert lines[0].split() == [str(c) for c in range(1, 7)]
        rows = lines[1:5]  # tasks 1 and 2 trained: classes 1-4
        assert [r.split()[0] for r in rows] == ["t1", "2", "t2", "4"]
        shares = snap.confusion.shares()
        for r, row in enumerate(rows):
            want = [share_cell(s) for s in shares[r]]
            assert cells(row) == want, row
        bars = lines[5]
        assert bars.startswith("logit") and set(bars.split()[1:5]) <= set(BARS)
        for c in range(1, 7):  # each bar under its class's number, each cell too
            column = lines[0].index(f" {c}") + 1
            assert bars[column] in (*BARS, "·") and rows[0][column] != " ", c
        assert bars.split()[5:] == ["·", "·"]  # classes 5 and 6 not seen yet
        screen = screen_text(app)
        assert "why forgotten" in screen and "t2" in screen
        styles = {str(span.style) for span in panel.text.spans}
        assert any("green" in style for style in styles)  # the right answers
        assert app.no_color is (not colour)
        await pilot.press("x")
        await settled(pilot)
        assert matrix.size.area and not panel.size.area

    drive(blobs(), script, size=size)


def test_ten_classes_fit_at_80x24(colour):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.FINISHED, timeout=60)
        await pilot.press("x")
        await settled(pilot)
        screen = screen_text(app)
        for task in range(1, 6):
            assert f"t{task}" in screen
        lines = app.query_one(ConfusionPlot).text.plain.split("\n")
        assert lines[0].split() == [str(c) for c in range(1, 11)]
        assert lines[11].startswith("logit") and "logit" in screen
        for row in lines[1:11]:  # every row on screen, each of its 10 cells apart
            assert row.rstrip() in screen and len(cells(row)) == 10, row

    drive(blobs(10, 5), script, size=(80, 24), auto_advance=True)


def test_side_by_side_x_shows_each_methods_confusion():
    async def script(app, pilot):
        comparison = await until(pilot, lambda s: s.state is State.FINISHED, timeout=60)
        await pilot.press("x")
        await settled(pilot)
        panels = list(app.query(MethodPanel))
        shown = [p.confusion.text.plain for p in panels]
        assert all(p.confusion.size.area and not p.picture.size.area for p in panels)
        for text, snap in zip(shown, comparison.runs, strict=True):
            first = text.split("\n")[1]  # task 1's class 1, answered by this method
            want = [share_cell(s) for s in snap.confusion.shares()[0]]
            assert cells(first) == want

    drive(blobs(), script, size=(120, 40), compare=("naive", "replay"), auto_advance=True)


def test_on_a_regression_x_says_there_is_no_confusion():
    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        await pilot.press("x")
        await settled(pilot)
        said = [n.message for n in app._notifications]
        assert any("a regression answers no class" in m for m in said)
        assert not app.query_one("#side").has_class("-confusion")

    drive(small(catalog.resolve("polynomial"), epochs=50), script, notifications=True)


@pytest.mark.parametrize("app", ["live", "replay"])
def test_the_help_lists_the_key(app):
    from textual.binding import Binding

    from cftui.tui.app import CftuiApp
    from cftui.tui.replay import ReplayApp
    from cftui.tui.screens import key_table

    cls = {"live": CftuiApp, "replay": ReplayApp}[app]
    palette = Binding(cls.COMMAND_PALETTE_BINDING, "command_palette")
    table = key_table([*cls.BINDINGS, palette], cls.HELP_ROWS)
    line = next(row for row in table.split("\n") if "why classes are forgotten" in row)
    assert line.startswith("| `x` |")


def test_the_figure_draws_a_fixed_matrix_with_its_labels_and_bars(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from cftui.figures.confusion import draw_confusion

    fig = Figure(figsize=(4, 4))
    ax = fig.add_subplot()
    counts = np.array([[0, 1, 3], [0, 4, 0], [1, 0, 3]])
    bars = draw_confusion(
        ax,
        counts,
        np.array([-1.5, 2.0, 3.0]),
        ["t1 1", "t1 2", "t2 3"],
        ["1", "2", "3"],
        seen=[True, True, False],
    )
    assert [t.get_text() for t in ax.texts] == ["·", "25", "75", "·", "100", "·", "25", "·", "75"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["t1 1", "t1 2", "t2 3"]
    assert [p.get_height() for p in bars.patches] == [-1.5, 2.0, 0.0]  # class 3 unseen
    np.testing.assert_allclose(ax.images[0].get_array(), 100 * counts / counts.sum(1)[:, None])
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(tmp_path / "c.svg")
    svg = (tmp_path / "c.svg").read_text()
    assert all(f">{label}<" in svg for label in ("25", "75", "100", "t2 3", "mean logit"))


SHOW_THE_PANEL = """await pilot.press("x")
        await pilot.pause(0.3)
        from cftui.tui.widgets.confusion import ConfusionPlot
        panel = app.query_one(ConfusionPlot)
        print(json.dumps([panel.content_size.width, panel.text.plain]))"""


def test_the_replay_shows_the_live_panel_where_torch_cannot_be_imported(tmp_path):
    """A recorded run replayed in a process that cannot import torch: `x` shows the panel
    the live view drew of the last published snapshot, character for character."""
    from test_record import record_run

    from cftui.tui.widgets.confusion import confusion_text

    path = tmp_path / "run.jsonl"
    published = record_run(path, blobs(), pace=120.0)
    printed = replays_to_its_end_without_torch(path, SHOW_THE_PANEL)
    width, replayed = json.loads(printed)
    assert replayed == confusion_text(published[-1], width).plain
    assert replayed.count("\n") > 8 and "t3" in replayed
