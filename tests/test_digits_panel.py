"""The digits picture, driven as a user sees it: at 120x40 and 80x24, in colour and as under
NO_COLOR, a digits preset shows test digits in half blocks with their answers, the task in
training's first and bold, the wrong ones marked with a glyph (and red); `x` brings the
confusion matrix of all ten digits. And the layout of a fixed snapshot, by hand."""

import dataclasses

import numpy as np
import pytest
from rich.text import Text

from cftui.train import catalog
from cftui.train.snapshot import State
from cftui.tui.compare_view import SummaryTable
from cftui.tui.widgets.confusion import ConfusionPlot
from cftui.tui.widgets.digits import TILE_H, DigitsPlot
from cftui.tui.widgets.pictures import Pictures
from cftui.tui.widgets.status import StatusLine

from tui_helpers import drive, region_text, settled, until

HALVES = {  # (top pixel inked, bottom pixel inked) -> the cell drawn
    (False, False): " ",
    (True, False): "▀",
    (False, True): "▄",
    (True, True): "█",
}


@pytest.fixture
def digits_class():
    """digits-class, shrunk: a small network, two epochs a task."""
    config = catalog.resolve("digits-class")
    return dataclasses.replace(
        config,
        model=dataclasses.replace(config.model, layers=(64, 24, 10)),
        train=dataclasses.replace(config.train, epochs=2),
    )


def labels(text: Text) -> list[str]:
    """Every answer drawn under an image, in order ("=3", "✗7"); not the legend's."""
    return [
        word
        for line in text.plain.split("\n")
        if "right" not in line
        for word in line.split()
        if word[:1] in "=✗" and word[1:].isdigit()
    ]


def styles_of(text: Text, word: str) -> set[str]:
    """The styles of the spans that cover the first character of each ``word`` drawn."""
    found = set()
    for line in text.split("\n"):
        at = line.plain.find(word)
        while at >= 0:
            found |= {str(s.style) for s in line.spans if s.start <= at < s.end}
            at = line.plain.find(word, at + 1)
    return found


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_the_digits_show_their_answers_new_task_first_and_x_the_confusion(
    digits_class, colour, size
):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("n")
        snap = await until(pilot, lambda s: s.task == 1 and s.state is State.TASK_DONE)
        panel = app.query_one(DigitsPlot)
        assert app.query_one(Pictures).current == "digits" and panel.size.area
        text = panel.text
        drawn = labels(text)
        assert drawn, text.plain
        rows = panel.rows(snap)
        assert {k for k, *_ in rows[0]} == {1}  # task 2's first, then task 1's
        assert {k for row in rows for k, *_ in row} == {0, 1}
        assert len(rows) == (3 if size == (80, 24) else 6)
        order = [tile for row in rows for tile in row]
        assert len(drawn) == len(order)
        tasks = snap.scene.tasks
        for word, (k, index, place) in zip(drawn, order, strict=True):
            answer, truth = int(snap.fit[place]), int(tasks[k].y_test[index])
            assert word == ("=" if answer == truth else "✗") + str(answer)
        assert set("".join(text.plain.split("\n")[:4])) - {" "} <= set(HALVES.values())
        assert {"▀", "▄", "█"} <= set(text.plain)  # ink, in half blocks
        assert any("✗" in w for w in drawn)  # naive answers task 1's digits as 2 or 3
        assert "green" in " ".join(styles_of(text, "=")) and "red" in " ".join(styles_of(text, "✗"))
        assert app.no_color is (not colour)
        await pilot.press("x")
        await settled(pilot)
        confusion = app.query_one(ConfusionPlot)
        assert confusion.size.area
        head = confusion.text.plain.split("\n")[0].split()
        assert head == [str(c) for c in range(10)]  # all ten digits' columns, by their digit
        first_rows = [line.split()[:2] for line in confusion.text.plain.split("\n")[1:3]]
        assert first_rows[0][:2] == ["t1", "0"] and first_rows[1][0] == "1"  # apart from a 100
        assert "blobs-class" not in confusion.text.plain  # its measured sentence is blobs'"

    drive(digits_class, script, size=size)


def test_a_fixed_snapshot_lays_out_its_tiles_by_hand(digits_class):
    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("n")
        snap = await until(pilot, lambda s: s.task == 1 and s.state is State.TASK_DONE)
        fake = dataclasses.replace(snap, fit=np.ones_like(snap.fit))  # every image answered 1
        panel = app.query_one(DigitsPlot)
        text = panel.draw(fake)
        lines = text.plain.split("\n")
        rows = panel.rows(fake)
        for r, row in enumerate(rows):
            truths = [int(snap.scene.tasks[k].y_test[i]) for k, i, _ in row]
            words = labels(Text(lines[r * TILE_H + TILE_H - 1]))
            assert words == [("=" if t == 1 else "✗") + "1" for t in truths], r
        k, i, _ = rows[0][0]  # the first tile: task 2's first shown image
        ink = snap.scene.tasks[k].x_test[i].reshape(8, 8) >= 0.5
        assert lines[0][:8] == "".join(
            HALVES[bool(a), bool(b)] for a, b in zip(*ink[:2], strict=True)
        )
        assert lines[1][:8] == "".join(
            HALVES[bool(a), bool(b)] for a, b in zip(*ink[2:4], strict=True)
        )
        styled = text.split("\n")
        bold_rows = [
            any("bold" in str(s.style) for s in styled[r * TILE_H].spans) for r in range(len(rows))
        ]
        assert bold_rows == [k == 1 for k, *_ in (row[0] for row in rows)]  # task 2's ink bold
        assert rows[-1][0][0] == 0  # task 1's band last

    drive(digits_class, script, size=(80, 24))


@pytest.mark.parametrize(("size", "short"), [((80, 24), True), ((120, 40), False)])
def test_five_tasks_side_by_side_keep_the_status_and_table_whole_at_80_columns(
    digits_class, size, short
):
    """At 80x24, digits-class side by side cut the status line at "ep 2…" and the table's
    headers at "task…", "forgett…". The status leaves out the scenario (the preset's name
    says it) and the table takes short headers (t1, avg vs naive, forgot), only where the
    long forms do not fit."""

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await settled(pilot)
        status = region_text(app, app.query_one(StatusLine)).splitlines()[0].strip()
        table = region_text(app, app.query_one(SummaryTable))
        assert "…" not in status + table, status + table
        assert status.startswith("● task done · digits-class") and "task 1/5 · ep 20/20" in status
        assert ("(class-incremental)" in status) is not short, status
        headers = ["t1", "t5", "avg vs naive", "forgot"] if short else ["task 1", "task 5"]
        assert all(header in table for header in headers), table
        assert ("task 1" in table) is not short, table

    shipped_epochs = dataclasses.replace(digits_class.train, epochs=20)  # "ep 20/20"
    config = dataclasses.replace(digits_class, train=shipped_epochs)
    drive(config, script, size=size, compare=("naive", "ewc"))


def test_at_80x24_the_confusion_panel_keeps_its_logit_scale_on_screen(digits_class):
    """After task 3 of digits-class at 80x24 the confusion panel's caption ran past the
    panel's bottom and cut the logit bars' scale ("▁ -5.18 to █" and no top value): the
    scale comes first in its line, so what is cut is the words after it."""

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        for task in (1, 2):
            await pilot.press("n")
            snap = await until(pilot, lambda s, t=task: s.task == t and s.state is State.TASK_DONE)
        await pilot.press("x")
        await settled(pilot)
        seen = snap.confusion.logits[: 2 * 3]  # the classes of the three tasks trained
        scale = f"▁ {seen.min():.3g} to █ {seen.max():.3g}"
        shown = " ".join(region_text(app, app.query_one(ConfusionPlot)).split())
        assert scale in shown, shown

    drive(digits_class, script, size=(80, 24))
