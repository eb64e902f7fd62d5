"""The live app, driven by Textual's Pilot: every key does what it says.

Each test runs a small deterministic config at full pace without auto-advance, so the
runner quickly reaches "task done" and waits: the app goes idle and Pilot can press keys.
"""

import dataclasses
import re
import subprocess
import sys
import threading
import types

import numpy as np
import pytest
from textual.binding import Binding
from textual.keys import format_key
from textual.worker import WorkerState

from cftui.draw.axes import ticks_to
from cftui.draw.task_style import task_mark
from cftui.live.pacing import default_pace
from cftui.train import catalog
from cftui.train.snapshot import State
from cftui.train.trainer import Trainer
from cftui.tui.app import CftuiApp, SnapshotReady
from cftui.tui.screens import KEY_ROWS, Help, Picker, key_table
from cftui.tui.widgets.fit import FitPlot
from cftui.tui.widgets.loss_chart import LossChart, axis_limits, planned_end
from cftui.tui.widgets.status import hint

from conftest import small
from tui_helpers import drive, held, quits_within, screen_text, until


def test_next_task_pause_epoch_and_finish(tiny):
    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert snap.task == 0 and len(snap.loss_matrix) == 1
        assert "task 1 done — n: on to task 2 · a: auto-advance" in screen_text(app)
        await pilot.press("space")  # no effect on a finished task
        await pilot.press("n")
        await until(pilot, lambda s: s.state is State.FINISHED)
        assert app.snapshot.task == 1 and len(app.snapshot.loss_matrix) == 2
        text = screen_text(app)
        assert "finished — r: rerun · m: try another method" in text
        assert "forgot" in text  # the loss matrix panel with its forgetting row

    drive(tiny, script)


def test_pause_resume_and_one_epoch(tiny):
    config = tiny.with_overrides(epochs=100_000)

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        await pilot.press("space")
        paused = await until(pilot, lambda s: s.state is State.PAUSED)
        await pilot.pause(0.2)
        assert app.snapshot.step == paused.step
        await pilot.press("full_stop")
        await until(pilot, lambda s: s.step == paused.step + 1)
        assert app.snapshot.state is State.PAUSED
        await pilot.press("space")
        await until(pilot, lambda s: s.state is State.RUNNING)
        await pilot.press("space")
        await until(pilot, lambda s: s.state is State.PAUSED)

    drive(config, script)


def test_pace_keys(tiny):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.PAUSED)
        assert app.snapshot.pace == pytest.approx(tiny.train.epochs / 10)
        await pilot.press("plus")
        await until(pilot, lambda s: s.pace == pytest.approx(tiny.train.epochs / 5))
        await pilot.press("minus", "minus")
        await until(pilot, lambda s: s.pace == pytest.approx(tiny.train.epochs / 20))
        await pilot.press("f")
        await until(pilot, lambda s: s.pace is None)
        assert "full pace" in screen_text(app)
        await pilot.press("minus")  # from full pace back to the default
        await until(pilot, lambda s: s.pace == pytest.approx(tiny.train.epochs / 10))
        await pilot.press("a")
        await until(pilot, lambda s: s.auto_advance)

    drive(tiny, script, pace=default_pace(tiny), paused=True)


def test_restart_and_method_picker(tiny):
    async def script(app, pilot):
        first = await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("r")
        again = await until(pilot, lambda s: s.run == 1 and s.state is State.TASK_DONE)
        assert again.loss_matrix == first.loss_matrix  # same data, same initial weights
        await pilot.press("m")
        assert isinstance(app.screen, Picker)
        await pilot.press("down", "down", "down", "enter")  # naive -> joint -> replay -> ewc
        snap = await until(pilot, lambda s: s.run == 2 and s.state is State.TASK_DONE)
        assert snap.scene.config.method.name == "ewc"
        assert snap.scene.tasks[0].x_train.tolist() == first.scene.tasks[0].x_train.tolist()
        await pilot.press("m", "escape")
        assert not isinstance(app.screen, Picker)
        assert app.snapshot.run == 2

    drive(tiny, script)


def test_preset_picker_switches_preset_and_keeps_method(tiny):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("p")
        picker = app.screen
        assert isinstance(picker, Picker)
        names = [name for name, _, _ in picker.entries]
        assert "hypercl-toy" in names
        for _ in range(names.index("polynomial") - names.index("hypercl-toy")):
            await pilot.press("up")
        await pilot.press("enter")
        snap = await until(pilot, lambda s: s.run == 1)
        assert snap.scene.config.name == "hypercl-toy" and len(snap.scene.tasks) == 3
        assert snap.scene.config.train.epochs == 5  # the command-line flag still applies

    drive(tiny, script, overrides={"epochs": 5})


def test_log_toggle_help_and_screenshot(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        chart = app.query_one(LossChart)
        assert chart.log_scale
        await pilot.press("l")
        assert not chart.log_scale and "(log10)" not in chart.border_title
        labels = [float(label) for label in re.findall(r"([\d.]+)┤", chart.text.plain)]
        assert len(labels) >= 3 and set(labels) <= set(ticks_to(max(labels)))  # 0.5, not 0.83
        await pilot.press("question_mark")
        assert isinstance(app.screen, Help)
        assert "| `+` / `-` | pace: twice / half as fast |" in app.screen.text
        await pilot.press("escape")
        assert not isinstance(app.screen, Help)
        await pilot.press("s")
        await pilot.pause()

    drive(tiny, script)
    saved = list(tmp_path.glob("cftui-polynomial-naive-*.svg"))
    assert len(saved) == 1 and saved[0].read_text().startswith("<svg")


@pytest.mark.parametrize("key", ["q", "ctrl+c"])
def test_quit_ends_the_worker(tiny, key):
    config = tiny.with_overrides(epochs=1_000_000)  # still training when the key comes

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        await pilot.press(key)
        await quits_within(app, 1.0)

    app = drive(config, script)  # which checks that the training thread ended
    assert app.return_code == 0


def test_a_snapshot_handled_after_the_screens_closed_is_dropped(tiny):
    """The runner may publish while the app shuts down, whose screens close before its last
    messages are handled: such a snapshot is dropped, not drawn on panels that are gone."""

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)

    app = drive(tiny, script)  # the app has shut down: no screen, no panel
    app.on_snapshot_ready(SnapshotReady(app.snapshot, source=app.source))


@pytest.mark.parametrize(("slow", "runners_built"), [("resolve", 0), ("Runner", 1)])
def test_q_while_starting_quits_at_once_and_nothing_trains(tiny, monkeypatch, slow, runners_built):
    """The first frame comes before torch has loaded (the worker imports it, then resolves
    the device: a slow resolve stands for both) and before the runner is built. A q then
    quits at once, and the worker, when the slow step returns, sees the quit: after a slow
    resolve it builds no runner, and it runs none. The slow step returns only after the q
    (a gate, not a delay a loaded machine could outlast before the test looks)."""
    gate, open_gate = threading.Event(), threading.Event()
    open_gate.set()
    gates = {"resolve": open_gate, "Runner": open_gate, slow: gate}
    resolved = held(monkeypatch, "cftui.train.devices", "resolve", gates["resolve"])
    runners = held(monkeypatch, "cftui.live.runner", "Runner", gates["Runner"])

    async def script(app, pilot):
        for _ in range(250):  # until the worker reaches the device (a loaded machine is slow)
            if resolved:
                break
            await pilot.pause(0.02)
        assert resolved and "● starting" in screen_text(app)
        await pilot.press("q")
        await quits_within(app, 0.5)
        gate.set()

    # With this many epochs, a runner that ran would still be training: drive fails.
    app = drive(tiny.with_overrides(epochs=1_000_000), script)
    assert app.return_code == 0 and app.snapshot is None
    assert len(runners) == runners_built


@pytest.mark.parametrize(
    ("preset", "says", "not_said"),
    [
        ("polynomial", "**fit** (left)", "regions"),
        ("blobs-class", "**regions** (left)", "test MSE"),
        ("digits-class", "**digits** (left)", "test MSE"),
    ],
)
def test_the_help_says_what_the_view_of_the_presets_problem_shows(preset, says, not_said):
    """? describes the view on screen: a 1-D fit, a 2-D run's regions, the digits."""

    async def script(app, pilot):
        await pilot.press("question_mark")
        assert isinstance(app.screen, Help)
        assert says in app.screen.text and not_said not in app.screen.text.split("| key")[0]

    drive(small(catalog.resolve(preset), epochs=100_000), script)


def test_the_help_has_a_row_for_each_key_and_a_key_for_each_row():
    """The help's key table is made from the app's bindings: each key once, in its row."""
    bindings = [*CftuiApp.BINDINGS, Binding(CftuiApp.COMMAND_PALETTE_BINDING, "command_palette")]
    table = key_table(bindings).splitlines()[2:]
    shown = re.findall(r"`([^`]+)`", "".join(row.split(" | ")[0] for row in table))
    assert sorted(shown) == sorted(format_key(b.key.split(",")[0]) for b in bindings)
    assert len(table) == len(KEY_ROWS)
    with pytest.raises(ValueError, match=r"no row \['louder'\]"):
        key_table([*bindings, Binding("L", "louder", "louder")])
    with pytest.raises(ValueError, match=r"no key \['help'\]"):
        key_table([b for b in bindings if b.action != "help"])


def test_the_app_module_needs_no_torch():
    """torch loads in the training worker, after the first frame: the app's module and all
    it imports load without it (here as on a machine without torch)."""
    code = 'import sys; sys.modules["torch"] = None; import cftui.tui.app'
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


class Boom(RuntimeError):
    pass


def test_a_fault_in_training_shows_an_error_and_r_recovers(tiny, monkeypatch):
    from cftui.train.methods.naive import Naive

    calls = {"n": 0}

    def after_task(self, model, tasks, k):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Boom("method exploded")

    monkeypatch.setattr(Naive, "after_task", after_task)

    async def script(app, pilot):
        for _ in range(200):
            if app.error:
                break
            await pilot.pause(0.05)
        text = screen_text(app)
        assert "training stopped: Boom: method exploded" in text
        assert "traceback in" in text
        failed = app.worker
        assert failed.state is WorkerState.ERROR
        await pilot.press("r")
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert not app.error
        assert app.worker is not failed and app.worker.state is WorkerState.RUNNING

    drive(tiny, script)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_main_screen_at_both_sizes(tiny, size):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        text = screen_text(app)
        lines = text.splitlines()
        assert len(lines) == size[1] and all(len(line) <= size[0] for line in lines)
        assert lines[0].startswith(" ● task done · polynomial · naive · task 1/2 · ")
        assert "task 1 done — n: on to task 2" in lines[1]
        for words in ("fit", "test MSE per task", "loss matrix", "• task 1", "━ fit now", "q quit"):
            assert words in text, words
        assert re.search(r"\d┤", text)  # labelled ticks on the loss chart's log axis
        drawn = sum(1 for ch in text if 0x2800 < ord(ch) <= 0x28FF or ch == "•")
        assert drawn > 100  # the fit, task 1's points and the loss curves are drawn

    drive(tiny, script, size=size)


def test_fit_panel_is_deterministic(tiny):
    """The fit panel's text at a paused, deterministic point is the same run after run."""

    def fit_text() -> str:
        out = {}

        async def script(app, pilot):
            await until(pilot, lambda s: s.state is State.TASK_DONE)
            out["text"] = app.query_one(FitPlot).text.plain

        drive(tiny, script)
        return out["text"]

    first = fit_text()
    assert first == fit_text()
    assert "task 1" in first and "-3" in first and "3" in first


def test_the_command_palette_has_every_action_once(tiny, tmp_path, monkeypatch):
    """Textual's own commands where they fit (theme, quit), every key's action by name, one
    help, and one screenshot: the app's, saved where "s" saves. They run as their keys do."""
    monkeypatch.chdir(tmp_path)

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "Theme",
            "Quit",
            "Next task",
            "Pause",
            "Pick method",
            "Pick preset",
            "Restart",
            "Help",
            "Faster",
            "Slower",
            "Step epoch",
            "Full pace",
            "Auto advance",
            "Toggle log",
            "Screenshot",
        ):
            assert titles.count(title) == 1, title
        assert "Keys" not in titles
        await from_palette(pilot, "screenshot")
        await from_palette(pilot, "next")
        await until(pilot, lambda s: s.task == 1)

    drive(tiny, script)
    assert len(list(tmp_path.glob("cftui-polynomial-naive-*.svg"))) == 1


async def from_palette(pilot, query: str) -> None:
    """Open the command palette, type ``query`` and run the first command it finds."""
    await pilot.press("ctrl+p", *query)
    await pilot.pause(0.2)  # the palette gathers its commands
    await pilot.press("down", "enter")
    await pilot.pause(0.2)
    assert len(pilot.app.screen_stack) == 1


def test_a_cut_status_line_ends_with_an_ellipsis(tiny):
    """Too long for 50 columns, the status line ends with "…", whether the app started at
    that width or shrank to it; grown to 120, it takes its long form again."""

    async def script(app, pilot):
        for size in [(50, 15), (120, 40), (50, 15)]:
            await pilot.resize_terminal(*size)
            await until(pilot, lambda s: s.state is State.TASK_DONE)
            line = screen_text(app).splitlines()[0]
            assert line.startswith(" ● task done · polynomial · naive"), line
            assert line.rstrip().endswith("…") == (size[0] == 50), line
            assert ("epoch 20/20" in line) == (size[0] == 120), line  # the long form where it fits
            assert len(line) == size[0]

    drive(tiny, script, size=(50, 15))


def test_a_theme_change_redraws_the_charts(tiny):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        chart = app.query_one(LossChart)
        before = chart.text
        app.theme = "textual-light"
        await pilot.pause(0.2)
        assert chart.text.plain == before.plain  # the same plot
        assert chart.text != before  # in the new theme's colours
        assert "test MSE" in screen_text(app)

    drive(tiny, script)


def test_the_loss_axes_move_in_steps_not_with_every_point():
    losses = np.array([[0.9, 2.0], [0.013, 1.5]])
    assert axis_limits(150, np.log10(losses), log_scale=True) == ((0, 150), (-2, 1))
    losses[1, 0] = 0.011  # a new point inside the same decades and ticks: the same axes
    assert axis_limits(160, np.log10(losses), log_scale=True) == ((0, 200), (-2, 1))
    assert axis_limits(190, np.log10(losses), log_scale=True) == ((0, 200), (-2, 1))
    assert axis_limits(201, losses, log_scale=False) == ((0, 250), (0, 2))
    assert axis_limits(0, np.log10([[0.5]]), log_scale=True) == ((0, 5), (-1, 0))


@pytest.mark.parametrize(
    ("task", "epoch", "step", "boundaries", "end"),
    [
        (0, 0, 0, (), 200),  # before training: one step an epoch until it knows better
        (0, 50, 50, (), 200),  # full batch: the task ends at step 200
        (1, 10, 210, (200,), 400),
        (0, 3, 12, (), 800),  # four batches an epoch
        (1, 200, 400, (200,), 400),  # ended: the step now
        (1, 20, 230, (210,), 410),  # task 1 left early at step 210
    ],
)
def test_the_step_axis_runs_to_where_the_task_in_training_ends(task, epoch, step, boundaries, end):
    config = types.SimpleNamespace(train=types.SimpleNamespace(epochs=200))
    scene = types.SimpleNamespace(config=config)
    snap = types.SimpleNamespace(
        scene=scene, task=task, epoch=epoch, step=step, boundaries=boundaries
    )
    assert planned_end(snap) == end


@pytest.mark.parametrize(
    ("high", "ticks"),
    [
        (400, [0, 100, 200, 300, 400]),  # 400 steps end at 400, not at 500
        (1500, [0, 500, 1000, 1500]),  # not at 2000
        (2000, [0, 500, 1000, 1500, 2000]),
        (420, [0, 100, 200, 300, 400, 500]),  # past a tick: the next one
        (50, [0, 10, 20, 30, 40, 50]),  # not plotext's 12.5, 25, 37.5
        (1.985, [0, 0.5, 1, 1.5, 2]),  # the linear loss axis: round numbers
        (0.05, [0, 0.01, 0.02, 0.03, 0.04, 0.05]),
    ],
)
def test_an_axis_ends_at_its_data_on_a_round_tick(high, ticks):
    assert ticks_to(high) == pytest.approx(ticks)


def test_a_at_a_finished_task_goes_on_and_keeps_going():
    """ "a" is offered at "task 1 done" as a way on: it goes on at once, through every task."""
    config = small(catalog.resolve("hypercl-toy"))

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert "a: auto-advance" in screen_text(app)
        await pilot.press("a")
        snap = await until(pilot, lambda s: s.state is State.FINISHED)
        assert snap.task == 2 and len(snap.loss_matrix) == 3 and snap.auto_advance
        lines = screen_text(app).splitlines()
        assert "auto-advance" in lines[0] and "finished — r: rerun" in lines[1]

    drive(config, script)


def test_the_footer_dims_the_keys_that_would_do_nothing_now(tiny):
    """At a finished task, space, "." and + (at full pace) would do nothing: they stay in the
    footer, dimmed (check_action None), and n is live; on the last task, n is dimmed and
    space is live again."""
    config = tiny.with_overrides(epochs=100_000)

    def dimmed(app) -> set[str]:
        actions = ("pause", "step_epoch", "faster", "full_pace", "next_task")
        return {action for action in actions if app.check_action(action, ()) is None}

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        assert dimmed(app) == {"step_epoch", "faster", "full_pace"}  # running, at full pace
        await pilot.press("space")
        await until(pilot, lambda s: s.state is State.PAUSED)
        assert dimmed(app) == {"faster", "full_pace"}
        await pilot.press("n")
        await until(pilot, lambda s: s.task == 1)
        assert dimmed(app) == {"faster", "full_pace", "next_task"}  # the last task
        await pilot.press("minus")
        await until(pilot, lambda s: s.pace is not None)
        assert "faster" not in dimmed(app) and "full_pace" not in dimmed(app)

    async def at_task_end(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert dimmed(app) == {"pause", "step_epoch", "faster", "full_pace"}

    drive(config, script)
    drive(tiny, at_task_end)


def test_a_change_of_state_is_on_screen_alone_before_the_panels_and_the_footer(tiny, monkeypatch):
    """A key's answer (a snapshot whose state changed) is drawn on the status line in its own
    frame; the panels and the footer (which Textual rebuilds whole) follow one frame later,
    drawn from the latest snapshot. Drawn together, they doubled a key's latency."""
    config = tiny.with_overrides(epochs=100_000)
    drawn, rebuilt = [], []
    monkeypatch.setattr(LossChart, "show", lambda self, snap: drawn.append(snap))
    original = CftuiApp.refresh_bindings
    monkeypatch.setattr(
        CftuiApp, "refresh_bindings", lambda app: (rebuilt.append(app.snapshot), original(app))
    )

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        await pilot.press("space")
        paused = await until(pilot, lambda s: s.state is State.PAUSED)
        await pilot.pause()
        drawn.clear(), rebuilt.clear()
        running = dataclasses.replace(paused, state=State.RUNNING)
        app.draw(running)
        assert "● running" in screen_text(app).splitlines()[0]
        assert drawn == [] and rebuilt == []  # not yet: the state is on screen first
        later = dataclasses.replace(running, step=running.step + 1)
        app.draw(later)  # the same state: panels at once, as every frame
        await pilot.pause()
        assert drawn[-1] is later and rebuilt == [later]  # the latest, not the one that changed

    drive(config, script)


def test_a_new_runner_begun_before_a_change_of_states_frame_draws_no_stale_panel(tiny):
    """The panels of a change of state are drawn a frame later; a new runner begun in
    between (the compare picker's answer) leaves no snapshot yet: nothing is drawn, no
    crash (draw_panels(None) ended the app)."""
    config = tiny.with_overrides(epochs=100_000)

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        await pilot.press("space")
        paused = await until(pilot, lambda s: s.state is State.PAUSED)
        app.draw(dataclasses.replace(paused, state=State.RUNNING))
        app.use_methods(("naive", "ewc"))
        await until(pilot, lambda s: len(getattr(s, "runs", ())) == 2)
        assert app.is_running and app.error == ""

    drive(config, script)


def test_paused_on_the_last_task_n_is_not_offered_and_does_nothing(tiny):
    config = tiny.with_overrides(epochs=100_000)

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        await pilot.press("n")
        await until(pilot, lambda s: s.task == 1)
        await pilot.press("space")
        paused = await until(pilot, lambda s: s.state is State.PAUSED)
        advice = screen_text(app).splitlines()[1]
        assert "paused — space: resume · .: one epoch" in advice and "n:" not in advice
        await pilot.press("n")
        await pilot.pause(0.2)
        assert (app.snapshot.task, app.snapshot.state) == (1, State.PAUSED)
        assert app.snapshot.step == paused.step

    drive(config, script)


@pytest.mark.parametrize(
    ("state", "task", "step", "said", "not_said"),
    [
        (State.RUNNING, 0, 5, "training task 1 — n: end it now, on to task 2", "watch"),
        (State.RUNNING, 1, 5, "training task 2: watch task 1's loss climb — n: on to task 3", ""),
        (State.RUNNING, 2, 5, "training task 3: watch the earlier tasks' loss climb", "n:"),
        (State.PAUSED, 1, 5, "paused — space: resume · .: one epoch · n: on to task 3", ""),
        (State.PAUSED, 2, 5, "paused — space: resume · .: one epoch", "n:"),
        (State.PAUSED, 0, 0, "paused before training — space: train", ""),
        (State.TASK_DONE, 1, 5, "task 2 done — n: on to task 3 · a: auto-advance", ""),
    ],
)
def test_the_advice_offers_only_what_the_keys_will_do(state, task, step, said, not_said):
    """Three tasks: "n" is offered except on the last; "the other tasks" only when plural."""
    snap = Trainer(small(catalog.resolve("hypercl-toy"))).take_snapshot()
    advice = hint(dataclasses.replace(snap, state=state, task=task, step=step))
    assert said in advice and (not not_said or not_said not in advice), advice


def test_paused_at_start_shows_the_data_and_what_to_press(tiny):
    """--paused: the first screen is the article's first figure, every task's data, and
    the status says how to start."""

    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.PAUSED)
        assert snap.step == 0
        fit = app.query_one(FitPlot).text.plain
        assert all(fit.count(task_mark(j)) > 20 for j in range(2))
        assert "paused before training — space: train" in screen_text(app)
        await pilot.press("space")
        await until(pilot, lambda s: s.step > 0)

    drive(tiny, script, pace=default_pace(tiny), paused=True)


@pytest.mark.parametrize(
    ("query", "method", "preset", "epochs"),
    [("ewc", "ewc", "polynomial", 20), ("rbf", "naive", "rbf", 5)],
)
def test_the_palette_finds_methods_and_presets_by_name(tiny, query, method, preset, epochs):
    """Typing a method's or a preset's name offers it first; choosing it restarts the run
    as the pickers do (a new preset gets the command-line flags again: --epochs 5)."""

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await from_palette(pilot, query)
        snap = await until(pilot, lambda s: s.run == 1)
        config = snap.scene.config
        assert (config.method.name, config.name, config.train.epochs) == (method, preset, epochs)

    drive(tiny, script, overrides={"epochs": 5})


def test_the_method_picker_shows_each_methods_settings(tiny):
    """The values the config holds (a preset's, or --set's), with the default beside one
    that differs."""
    settings = {**tiny.method.settings, "ewc": {"lambda": 500.0}}
    config = dataclasses.replace(tiny, method=dataclasses.replace(tiny.method, settings=settings))

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("m")
        entries = {name: text for name, text, _ in app.screen.entries}
        assert entries["ewc"].endswith("lambda=500 (default 10000)")
        assert entries["replay"].endswith("buffer=200")
        assert entries["naive"].endswith("no settings")
        assert "lambda=500 (default 10000)" in screen_text(app)
        assert entries["multihead"].endswith("\ntask id given · freeze_basis=false")
        assert "task id given" not in entries["ewc"]

    drive(config, script)


def test_a_method_told_the_task_says_so_on_the_status_line(tiny):
    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert "● task done · polynomial · packnet (task id given)" in screen_text(app)

    drive(tiny.with_overrides(method="packnet"), script)


@pytest.mark.parametrize(("test_points", "says"), [("grid", True), ("held_out", False)])
def test_the_loss_chart_says_when_the_test_points_are_a_noise_free_grid(tiny, test_points, says):
    config = dataclasses.replace(tiny, data=dataclasses.replace(tiny.data, test_points=test_points))

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert ("noise-free grid" in app.query_one(LossChart).border_title) is says

    drive(config, script)
