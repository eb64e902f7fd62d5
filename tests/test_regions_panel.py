"""The decision-regions panel, driven as a user sees it: at 120x40 and 80x24, in colour and as
under NO_COLOR, the class the model predicts fills the plane with its glyph (and its shade),
every training point is its class's mark, and the task in training's points are bold."""

import dataclasses

import numpy as np
import pytest
from rich.text import Text

from cftui.draw.task_style import class_mark, region_mark
from cftui.train import catalog
from cftui.train.snapshot import Command, State
from cftui.tui.compare_view import CompareView, MethodPanel
from cftui.tui.widgets.matrix import LossMatrix
from cftui.tui.widgets.pictures import Pictures
from cftui.tui.widgets.regions import RegionsPlot
from cftui.tui.widgets.status import StatusLine

from tui_helpers import drive, region_text, screen_text, until


@pytest.fixture
def blobs():
    """blobs-class, shrunk: 3 tasks of 2 classes, a few epochs each."""
    config = catalog.resolve("blobs-class")
    train = dataclasses.replace(config.train, epochs=15)
    model = dataclasses.replace(config.model, layers=(2, 24, 24, 6))
    return dataclasses.replace(config, train=train, model=model)


def region_glyphs(text: Text) -> set[str]:
    """The region glyphs on the plane (not in the legend below it, which shows them all)."""
    plane = [row for row in text.plain.split("\n") if "class " not in row]
    return set("".join(plane)) & {region_mark(c) for c in range(6)}


def bold_marks(text: Text) -> set[str]:
    """The characters drawn in a bold style."""
    return {
        row.plain[x]
        for row in text.split("\n")
        for span in row.spans
        if "bold" in str(span.style).split()
        for x in range(span.start, span.end)
    }


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_the_regions_show_what_class_incremental_naive_predicts(blobs, colour, size):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)  # task 1 done: classes 1-2
        panel = app.query_one(RegionsPlot)
        assert app.query_one(Pictures).current == "regions" and panel.size.area
        shown = panel.text
        # only the classes seen so far are predicted: task 1's two
        assert region_glyphs(shown) == {region_mark(0), region_mark(1)}
        for c in range(6):  # every task's points, each as its class's mark
            assert shown.plain.count(class_mark(c)) >= 2, c
        assert bold_marks(shown) & {class_mark(c) for c in range(6)} == {
            class_mark(0),
            class_mark(1),
        }
        legend = shown.plain.split("\n")[-2:]
        assert "class 1" in shown.plain and "task 1's points" in " ".join(legend)
        styles = {str(span.style) for row in shown.split("\n") for span in row.spans}
        assert any(" on #" in style for style in styles)  # each region in its shade
        assert "class-incremental" in app.query_one(StatusLine).text.plain
        matrix = app.query_one(LossMatrix)
        assert matrix.border_title == "accuracy %: after each task"
        screen = screen_text(app)
        assert "test cross-entropy" in screen
        assert app.no_color is (not colour)
        await pilot.press("n")  # on to task 2: its classes take over
        await until(pilot, lambda s: s.task == 1 and s.state is State.TASK_DONE)
        later = app.query_one(RegionsPlot).text
        assert region_mark(2) in region_glyphs(later) or region_mark(3) in region_glyphs(later)
        assert bold_marks(later) & {class_mark(c) for c in range(6)} == {
            class_mark(2),
            class_mark(3),
        }

    drive(blobs, script, size=size)


def test_the_plane_is_drawn_with_y_rising_up_the_screen(blobs):
    """A made-up prediction, class 1 where y > 0 and class 2 below: the top rows hold class
    1's glyph only, the bottom rows class 2's."""

    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        ys = snap.scene.grid[1]
        side = len(ys)
        upper = np.repeat((ys <= 0).astype(int), side)  # row-major, y rising with the row
        panel = app.query_one(RegionsPlot)
        panel.show(dataclasses.replace(snap, fit=upper, step=-1))
        rows = panel.text.plain.split("\n")
        plane = [row for row in rows if "class " not in row and row.strip()]
        assert region_glyphs(Text(plane[0])) == {region_mark(0)}
        assert region_glyphs(Text(plane[-1])) == {region_mark(1)}

    drive(blobs, script)


def test_a_preset_of_the_other_kind_swaps_the_picture(blobs, tiny):
    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        assert app.query_one(Pictures).current == "fit"
        app.use_preset(blobs)
        await until(pilot, lambda s: s.scene.config.name == "blobs-class" and s.step > 0)
        assert app.query_one(Pictures).current == "regions"
        assert app.query_one(RegionsPlot).text.plain.count("class ") == 6

    drive(tiny, script)


def test_side_by_side_draws_each_methods_regions_and_accuracy(blobs):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.FINISHED, timeout=60)
        view = app.query_one(CompareView)
        planes = [p for p in view.query(RegionsPlot) if p.size.area]
        assert len(planes) == 2 and all(region_glyphs(p.text) for p in planes)
        naive, replay = (region_glyphs(p.text) for p in planes)
        assert len(replay) > len(naive)  # replay still predicts old classes; naive not
        screen = screen_text(app)
        assert "test accuracy % now" in screen and "average vs naive" in screen

    drive(blobs, script, size=(160, 45), compare=("naive", "replay"), auto_advance=True)


def test_at_80x24_side_by_side_shows_the_regions_and_v_the_charts(blobs):
    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        await pilot.pause(0.3)
        assert "v: loss charts" in screen_text(app)
        assert all(panel.picture.size.height >= 12 for panel in app.query(MethodPanel))
        app.source.send(Command.TOGGLE_PAUSE)  # Pilot's press waits for an idle app
        await pilot.press("v")
        await pilot.pause(0.3)
        assert "v: regions" in screen_text(app)
        assert all(panel.picture.styles.display == "none" for panel in app.query(MethodPanel))

    drive(blobs, script, size=(80, 24), compare=("naive", "replay"))


def test_the_accuracy_matrix_summary_lines_up_with_its_rows(blobs):
    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        matrix = [[0.975, 0.0, 0.0], [0.0, 0.95, 0.0], [0.0, 0.0, 1.0]]
        done = dataclasses.replace(snap, accuracy_matrix=matrix, loss_matrix=matrix)
        app.query_one(LossMatrix).show(done)
        await pilot.pause()
        lines = [line[1:-1] for line in region_text(app, app.query_one(LossMatrix)).splitlines()]
        indent = {line.split()[0]: len(line) - len(line.lstrip()) for line in lines if line.strip()}
        assert indent["average"] == indent["BWT"] == indent["task"] == indent["forgot"], lines

    drive(blobs, script, size=(120, 40))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@pytest.mark.parametrize(("preset", "said"), [("blobs-task", True), ("blobs-class", False)])
def test_the_task_scenario_s_regions_say_which_head_answers_a_cell(preset, said, size):
    """Issue 32: blobs-task's panel looked like one 6-class map. In the task scenario the
    legend on screen says, whole at 80x24 too, that each cell is answered by the head of
    the nearest task."""
    config = dataclasses.replace(
        catalog.resolve(preset), train=dataclasses.replace(catalog.resolve(preset).train, epochs=3)
    )

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        panel = app.query_one(RegionsPlot)
        assert ("each cell: the nearest task's head" in region_text(app, panel)) is said

    drive(config, script, size=size)
