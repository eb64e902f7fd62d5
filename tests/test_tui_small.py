"""The app as a teacher meets it: at 80x24 and 120x40, with two and three tasks, and in a
terminal without colour. What cannot fit is shortened on purpose, never cut off."""

import dataclasses

import numpy as np
import pytest
from rich.text import Text
from textual.widgets import OptionList

from cftui.draw.task_style import task_mark
from cftui.train import catalog
from cftui.train.snapshot import State
from cftui.tui.widgets.fit import FitPlot, legend_entries
from cftui.tui.widgets.loss_chart import LossChart
from cftui.tui.widgets.matrix import LossMatrix

from conftest import small
from tui_helpers import drive, region_text, screen_text, until

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("preset", ["polynomial", "hypercl-toy"])
def test_the_finished_screen_shows_every_part_whole(size, preset):
    """Status, legends, the forgetting row and BWT, and the footer's keys: all there, none
    cut with "…", the loss chart's legend off its plot."""
    config = small(catalog.resolve(preset))

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("a")
        snap = await until(pilot, lambda s: s.state is State.FINISHED)
        text = screen_text(app)
        lines = text.splitlines()
        assert "…" not in lines[0] and f"task {len(snap.scene.tasks)}/" in lines[0]
        for _, _, label in legend_entries(snap):
            assert label in text, label
        assert "forgot" in text and "BWT" in text
        assert "…" not in region_text(app, app.query_one(LossMatrix))  # every number whole
        n = len(snap.scene.tasks)  # long numbers, as a full-size run gives
        wide = ((0.00512, 8.938, 8.115), (0.3104, 0.3385, 0.3104), (0.2347, 0.4931, 0.1637))
        matrix = tuple(row[:n] for row in wide[:n])
        app.query_one(LossMatrix).show(dataclasses.replace(snap, loss_matrix=matrix))
        await pilot.pause()
        text = screen_text(app)
        assert all(f" task {j + 1} " in text for j in range(n)) and "forgot" in text  # whole
        matrix_text = region_text(app, app.query_one(LossMatrix))
        assert "0.3104" in matrix_text  # each row's first number whole
        if n == 2 or size[0] >= 120:  # three tasks' "x60" marks do not fit across 80 columns
            assert "…" not in matrix_text
        assert "+/- pace" in lines[-1] and "^p palette" in lines[-1]
        assert "…" not in app.query_one(FitPlot).text.plain
        chart = app.query_one(LossChart)
        assert "task 1" not in chart.text.plain  # not on the plot: on the panel's edge
        assert all(f"task {j + 1}" in str(chart.border_subtitle) for j in range(2))

    drive(config, script, size=size)


def test_without_colour_every_mark_differs(tiny, monkeypatch):
    """NO_COLOR: each task's points have their own glyph, the fit now, each ghost and the
    truth their own line, each loss curve its own marks, in the legends and on the plot."""
    monkeypatch.setenv("NO_COLOR", "1")
    config = small(catalog.resolve("hypercl-toy"))

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("a")
        snap = await until(pilot, lambda s: s.state is State.FINISHED)
        entries = legend_entries(snap)
        assert len(entries) == 3 + 1 + 2 + 1  # points, fit now, two ghosts, truth
        assert len({mark for mark, _, _ in entries}) == len(entries)
        fit = app.query_one(FitPlot).text.plain
        for j in range(3):
            assert fit.count(task_mark(j)) > 5, j  # drawn on the plot, not only named
        chart = app.query_one(LossChart)
        legend = Text.from_markup(str(chart.border_subtitle)).plain
        marks = [legend.split(f"task {j + 1}")[0].split()[-1] for j in range(3)]
        assert len(set(marks)) == 3, marks
        assert set(chart.text.plain) & set("▖▗▘▝▚▞▄▀▌▐")  # task 2's quarter blocks
        assert task_mark(2) in chart.text.plain  # task 3's glyph
        assert app.no_color

    drive(config, script)


def test_a_ghost_is_dashed_and_the_fit_now_solid(tiny):
    """The same shape in any colour would hide which line is which: a ghost has gaps."""

    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        flat = np.ones_like(snap.fit)  # inside the data's range, -1.8 to 0.7
        fake = dataclasses.replace(snap, task=1, fit=-flat, ghosts=(0 * flat,), step=-1)
        fit = app.query_one(FitPlot)
        fit.show(fake)
        ghost, now = (columns(fit.text, style) for style in ("cyan", "bold"))
        assert len(ghost) > 20 and len(now) > 20
        assert span(now) - len(now) == 0  # solid
        assert span(ghost) - len(ghost) > len(ghost) / 4  # a third of it left out

    drive(tiny, script)


def columns(text, style: str) -> set[int]:
    """The columns of the longest run of cells in ``style`` found on one row."""
    rows = []
    for row in text.split("\n"):
        rows.append(
            {
                x
                for span in row.spans
                if span.style == style
                for x in range(span.start, span.end)
                if row.plain[x] != " "
            }
        )
    return max(rows, key=len)


def span(cols: set[int]) -> int:
    return max(cols) - min(cols) + 1


@pytest.mark.parametrize(
    ("key", "closing"), [("m", "esc: cancel"), ("question_mark", "esc: close")]
)
def test_at_80x24_a_dialog_keeps_its_keys_in_view_and_shows_it_scrolls(tiny, key, closing):
    """The list (or the help's text) takes what is left below the keys, whole, and scrolls
    with a scrollbar; at its end the last entry shows to its last line."""

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press(key)
        dialog = app.screen.query_one(".dialog")
        scroller = dialog.query_one("OptionList, VerticalScroll")
        assert scroller.max_scroll_y > 0 and scroller.show_vertical_scrollbar
        assert scroller.region.bottom <= dialog.content_region.bottom  # not cut by the dialog
        await pilot.press("end")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert closing in text
        if isinstance(scroller, OptionList):
            assert "enter: choose" in text
            last = app.screen.entries[-1]
            ending = last[1].splitlines()[-1].split(" · ")[-1]  # its settings line may wrap
            assert ending in text  # the last method's entry shows to its last word

    drive(tiny, script, size=(80, 24))
