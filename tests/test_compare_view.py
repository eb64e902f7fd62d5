"""The side-by-side view in the app (cftui --compare, key c), driven by Pilot at 120x40 and
80x24: a panel per method on shared axes, the summary table's numbers, n moving every run,
paging, a diverging run marked while the others finish."""

import dataclasses

import numpy as np
import pytest
from textual import events
from textual.widgets import SelectionList

from cftui.results.recording import read
from cftui.train import metrics
from cftui.train.snapshot import Comparison, Snapshot, State
from cftui.tui.app import SnapshotReady
from cftui.tui.compare_picker import ComparePicker
from cftui.tui.compare_view import CompareView, MethodPanel, summary_table
from cftui.tui.explain import ExplainScreen
from cftui.tui.screens import Picker
from cftui.tui.widgets.loss_chart import LossChart, shared_limits

from tui_helpers import drive, quits_within, screen_text, until

THREE = ("naive", "ewc", "replay")


def panels(app) -> list[MethodPanel]:
    return list(app.query_one(CompareView).query(MethodPanel))


def table_rows(app) -> dict[str, list[str]]:
    """The summary table's rows on screen, by method name."""
    lines = screen_text(app).splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("method"))
    rows = {}
    for line in lines[start + 2 :]:
        words = line.split()
        if words and words[0] in (*THREE, "l2"):
            rows[words[0]] = words[1:]
    return rows


def test_three_methods_side_by_side_on_shared_axes_at_120x40(tiny):
    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert isinstance(snap, Comparison) and snap.methods == THREE
        shown = panels(app)
        assert [p.border_title for p in shown] == list(THREE)  # all three, no paging
        assert all(
            p.picture.styles.display == "block" and p.picture.size.height >= 12 for p in shown
        )
        limits = {p.chart.limits for p in shown}
        assert limits == {shared_limits(snap.runs, log_scale=True)}
        text = screen_text(app)
        assert "polynomial · naive, ewc, replay" in text and "task 1 done — n: on to task 2" in text
        assert "page" not in text
        await pilot.press("n")
        snap = await until(pilot, lambda s: s.state is State.FINISHED)
        assert [run.task for run in snap.runs] == [1, 1, 1]
        assert all(len(run.loss_matrix) == 2 for run in snap.runs)
        # one y-range for all, wide enough for the run that forgot most and the one that kept most
        (_, (low, high)) = panels(app)[0].chart.limits
        every = np.log10(np.concatenate([run.test_losses.ravel() for run in snap.runs]))
        assert low <= every.min() and every.max() <= high
        rows = table_rows(app)
        for run in snap.runs:
            name = run.scene.config.method.name
            final = run.loss_matrix[-1]
            assert rows[name][:2] == [f"{final[0]:.3g}", f"{final[1]:.3g}"]
            forgetting = np.mean(metrics.forgetting(run.loss_matrix))
            bwt = metrics.backward_transfer(run.loss_matrix)
            assert rows[name][-2:] == [f"{forgetting:.3g}", f"{bwt:.3g}"]
        naive, ewc = snap.runs[0].loss_matrix[-1][0], snap.runs[1].loss_matrix[-1][0]
        assert rows["ewc"][2] == f"{-(1 - ewc / naive):+.0%}"

    drive(tiny, script, size=(120, 40), compare=THREE)


def test_at_80x24_two_panels_a_page_and_arrows_turn_it(tiny):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert [p.border_title for p in panels(app)] == ["naive", "ewc"]
        assert "page 1/2 (←/→) · v: loss charts" in screen_text(app)
        # too few rows for a fit and a chart: the fit alone (the article's picture), then v
        # the chart alone, each tall enough to read
        assert all(p.chart.styles.display == "none" for p in panels(app))
        assert all(p.picture.size.height >= 12 for p in panels(app))
        await pilot.press("v")
        await pilot.pause()
        assert "page 1/2 (←/→) · v: fits" in screen_text(app)
        assert all(p.picture.styles.display == "none" for p in panels(app))
        assert all(p.chart.size.height >= 12 for p in panels(app))
        await pilot.press("right")
        await pilot.pause()
        assert [p.border_title for p in panels(app)] == ["replay"]
        assert "page 2/2" in screen_text(app)
        await pilot.press("left")
        await pilot.pause()
        assert [p.border_title for p in panels(app)] == ["naive", "ewc"]
        lines = screen_text(app).splitlines()
        assert "c compare" in lines[-1] and "+/- pace" in lines[-1]
        assert all("…" not in line for line in lines[:2]), lines[:2]

    drive(tiny, script, size=(80, 24), compare=THREE)


def test_a_diverging_run_shows_diverged_while_the_others_finish(tiny):
    config = dataclasses.replace(
        tiny, train=dataclasses.replace(tiny.train, optimizer="sgd", lr=0.1)
    ).with_overrides(settings={"l2": {"lambda": 1e30}})

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("n")
        snap = await until(pilot, lambda s: s.state is State.FINISHED)
        assert [run.state for run in snap.runs] == [State.FINISHED, State.DIVERGED]
        titles = [p.border_title for p in panels(app)]
        assert titles == ["naive", "l2 — diverged"] and panels(app)[1].has_class("-diverged")
        assert "diverged" in table_rows(app)["l2"]

    drive(config, script, size=(120, 40), compare=("naive", "l2"))


def test_c_picks_methods_to_compare_and_m_goes_back_to_one(tiny):
    async def script(app, pilot):
        single = await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert isinstance(single, Snapshot)
        await pilot.press("c")
        picker = app.screen
        assert isinstance(picker, ComparePicker)
        assert picker.query_one(SelectionList).selected == ["naive"]  # naive and the method
        await pilot.press("enter")  # one ticked: not enough, says so
        assert "tick 2 to 6 methods (1 ticked)" in screen_text(app)
        choices = picker.query_one(SelectionList)
        choices.select("si")
        choices.select("ewc")
        await pilot.press("enter")
        snap = await until(pilot, lambda s: isinstance(s, Comparison))
        assert snap.methods == ("naive", "ewc", "si")  # in the methods' own order
        app.post_message(SnapshotReady(single, source=object()))  # the stopped runner's last
        await pilot.pause()
        assert isinstance(app.snapshot, Comparison)  # ...is dropped
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert [p.border_title for p in panels(app)] == ["naive", "ewc", "si"]
        await pilot.press("m")
        await pilot.press("down", "down", "enter")  # naive, joint, replay: replay
        snap = await until(pilot, lambda s: isinstance(s, Snapshot) and s.state is State.TASK_DONE)
        assert snap.scene.config.method.name == "replay" and not app.compare
        assert app.query_one("#views").current == "main"

    drive(tiny, script, size=(120, 40))


def test_l_switches_every_chart_and_the_shared_axes_follow(tiny):
    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("l")
        await pilot.pause()
        charts = list(app.query_one(CompareView).query(LossChart))
        assert [chart.log_scale for chart in charts] == [False, False]
        assert {chart.limits for chart in charts} == {shared_limits(snap.runs, log_scale=False)}

    drive(tiny, script, size=(120, 40), compare=("naive", "ewc"))


@pytest.mark.parametrize("step", [0, 1])
def test_the_summary_table_scores_forgetting_and_bwt_as_they_stand(tiny, step):
    """While task 2 trains, the losses now stand in for task 2's row; at the end it is the
    loss matrix's own numbers (metrics.forgetting, metrics.backward_transfer)."""
    from cftui.live.runner import Runner

    snap = Runner(tiny, methods=["naive", "ewc"]).run()
    run = snap.runs[0]
    matrix = [list(row) for row in run.loss_matrix]
    if step == 0:  # as if task 2 were still training: row 2 not yet written
        now = dataclasses.replace(run, state=State.RUNNING, loss_matrix=run.loss_matrix[:1])
        snap = dataclasses.replace(snap, runs=(now, snap.runs[1]))
        matrix = [matrix[0], list(run.test_losses[-1])]
    table = summary_table(snap)
    cells = [str(cell) for cell in table.columns[-2]._cells + table.columns[-1]._cells]
    forgetting = matrix[1][0] - matrix[0][0]
    assert cells[0] == f"{forgetting:.3g}" and cells[2] == f"{-forgetting:.3g}"


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
def test_quit_side_by_side_ends_the_training_thread(tiny, key):
    config = tiny.with_overrides(epochs=1_000_000)  # every run still training when the key comes

    async def script(app, pilot):
        await until(pilot, lambda s: all(run.step > 0 for run in s.runs))
        await pilot.press(key)
        await quits_within(app, 1.0)

    app = drive(config, script, size=(120, 40), compare=THREE)  # checks the thread ended
    assert app.return_code == 0


def test_i_side_by_side_asks_which_method_and_s_e_name_every_method(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("i")
        assert isinstance(app.screen, Picker)
        await pilot.press("down", "enter")  # the second compared: ewc
        assert isinstance(app.screen, ExplainScreen) and app.screen.method == "ewc"
        await pilot.press("escape")
        await pilot.press("s", "e")
        await pilot.pause()

    drive(tiny, script, size=(120, 40), compare=("naive", "ewc"))
    names = sorted(path.name for path in tmp_path.iterdir())
    assert len(names) == 5 and names[-1].startswith("cftui-polynomial-naive-ewc-")
    assert names[-1].endswith(".svg")
    assert [n.split("-")[2] for n in names[:4]] == ["ewc", "ewc", "naive", "naive"]


def test_while_recording_c_compares_and_the_recording_holds_both_views(tiny, tmp_path):
    from cftui.results import record

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("c")
        assert isinstance(app.screen, ComparePicker)
        await pilot.press("escape")
        app.use_methods(("naive", "ewc"))
        await until(pilot, lambda s: isinstance(s, Comparison) and s.state is State.TASK_DONE)

    with record.Recorder(tmp_path / "run.jsonl") as recorder:
        drive(tiny, script, size=(120, 40), recorder=recorder)
    frames = read(tmp_path / "run.jsonl").frames
    assert isinstance(frames[0].snapshot, Snapshot)
    last = frames[-1].snapshot
    assert isinstance(last, Comparison) and last.methods == ("naive", "ewc")
    assert last.state is State.TASK_DONE and last.runs[1].loss_matrix


@pytest.mark.parametrize(
    ("mse", "naive", "said"), [(0.25, 1.0, "-75%"), (2.0, 1.0, "+100%"), (1.001, 1.0, "±0%")]
)
def test_against_naive_is_a_change_in_percent_and_no_sign_when_equal(mse, naive, said):
    from cftui.results.report import versus

    assert versus(mse, naive).plain == said


def test_compare_all_needs_a_large_terminal_and_says_so_in_one_line(monkeypatch, capsys):
    import os
    import shutil

    from cftui import cli
    from cftui.tui.compare_view import too_small_for_all

    assert too_small_for_all(os.terminal_size((160, 45)), 13) == ""
    assert too_small_for_all(os.terminal_size((160, 45)), 15)  # a table row each
    monkeypatch.setattr(shutil, "get_terminal_size", lambda: os.terminal_size((120, 40)))
    assert cli.main(["--compare", "all"]) == 2  # polynomial: every method but iCaRL
    assert capsys.readouterr().err == (
        "cftui: error: --compare all: 15 methods need a terminal of at least 160x47 (this one"
        " is 120x40); or name 2 to 6, e.g. --compare naive,ewc,replay\n"
    )


def test_a_burst_of_keys_in_the_compare_picker_ticks_the_rows_it_passed(tiny):
    """Over SSH keys arrive together: Down Down Space Down Space in one read ticks the third
    and fourth rows, as the same keys one by one do (SelectionList alone ticked late rows)."""

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("c")
        picker = app.screen
        assert isinstance(picker, ComparePicker)
        for key in ("down", "down", "space", "down", "space"):  # queued before any is handled
            app.post_message(events.Key(key, " " if key == "space" else None))
        await pilot.pause(0.2)
        assert picker.query_one(SelectionList).selected == ["naive", "replay", "ewc"]
        x, y = picker.query_one(".dialog").region.center  # centred, as the method picker
        assert abs(x - 60) <= 1 and abs(y - 20) <= 1

    drive(tiny, script, size=(120, 40))
