"""The app under abuse: divergence, broken presets, tiny terminals, mashed keys, no colour."""

import asyncio
import dataclasses
import threading

import numpy as np
import pytest
import torch
from textual import events
from textual.widgets import OptionList

from cftui.live import runner as runner_module
from cftui.train import catalog
from cftui.train.snapshot import State
from cftui.tui.screens import Picker

from tui_helpers import drive, quits_within, screen_text, until


def test_divergence_is_shown_and_the_app_stays_usable(tiny):
    config = dataclasses.replace(
        tiny, train=dataclasses.replace(tiny.train, optimizer="sgd", lr=1000.0)
    )

    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.DIVERGED)
        text = screen_text(app)
        assert "● diverged" in text and "the loss became" in text and "r: rerun" in text
        await pilot.press("r")
        await until(pilot, lambda s: s.run == 1 and s.state is State.DIVERGED)
        await pilot.press("m")
        assert isinstance(app.screen, Picker)
        await pilot.press("escape", "p")
        assert isinstance(app.screen, Picker)
        await pilot.press("escape")
        assert snap.loss_matrix == () and app.snapshot.loss_matrix == ()

    drive(config, script)


def test_a_run_whose_losses_become_nan_is_drawn_and_the_app_lives_on(tiny):
    """SGD at lr 1000 overflows to huge but finite losses; a nan weight makes every test loss
    nan, which the loss chart must draw (its axes come from the finite values) without
    crashing the app."""

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.PAUSED)
        with torch.no_grad():  # the runner waits while paused: nothing else touches the model
            app.source.trainers[0].now.model.regressor.bias.fill_(float("nan"))
        await pilot.press("space")
        snap = await until(pilot, lambda s: s.state is State.DIVERGED)
        assert "nan" in snap.message and np.isnan(snap.test_losses[-1]).all()
        await pilot.pause(0.3)
        assert app.is_running and "● diverged" in screen_text(app)
        await pilot.press("r")
        await until(pilot, lambda s: s.run == 1 and s.state is State.TASK_DONE)

    drive(tiny, script, paused=True)


def test_broken_and_shadowing_presets_say_so_in_the_picker(tiny, polynomial, tmp_path, monkeypatch):
    """A broken preset lists every problem, one a line; a user's file named like a shipped
    preset says that it stands in for it."""
    folder = tmp_path / "cftui" / "presets"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text("[train]\nlr = -1\nepochs = 0\n")
    shipped = catalog.find("polynomial").read_text()
    (folder / "polynomial.toml").write_text(shipped)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    problems = ["[train] lr: must be > 0, got -1.0", "[train] epochs: must be 1..1000000, got 0"]

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await pilot.press("p")
        entries = {name: (text, usable) for name, text, usable in app.screen.entries}
        broken = folder / "broken.toml"
        assert entries["broken"] == ("\n".join([f"skipped: {broken}", *problems]), False)
        assert entries["polynomial"][1] is True
        assert "in place of the shipped preset" in entries["polynomial"][0]
        assert "in place of" not in entries["hypercl-toy"][0]
        options = app.screen.query_one(OptionList)
        for _ in entries:  # down to the broken entry, as a user would (the list is long)
            if options.highlighted_option.id == "broken":
                break
            await pilot.press("down")
        await pilot.pause()
        text = screen_text(app)
        assert all(problem in text for problem in problems)

    drive(tiny, script)


def test_resizing_down_to_40x12_and_back_while_training(tiny):
    config = tiny.with_overrides(epochs=1_000_000)

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        for size in [(80, 24), (60, 20), (40, 12), (30, 8), (45, 14), (120, 40), (40, 12)]:
            await pilot.resize_terminal(*size)
            await pilot.pause(0.1)
            text = screen_text(app)
            small = size[0] < 50 or size[1] < 15
            assert ("terminal too small" in text) == small, size
            # the palette's key stays off a footer too narrow for it (it overprinted keys)
            assert ("^p palette" in text.splitlines()[-1]) == (size[0] >= 50), size
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.2)
        step = app.snapshot.step
        await until(pilot, lambda s: s.step > step)  # still training
        assert "fit" in screen_text(app)

    drive(config, script)


def test_mashed_keys_neither_pile_up_nor_crash(tiny):
    """50 keys a second for 5 s while training at full pace, as a real terminal sends them
    (posted, not awaited: Pilot's press waits for an idle app that never comes while
    snapshots stream). Nothing crashes, no modal piles up, the pace stays bounded, the
    runner's command queue is drained (waited for, up to 30 s: a loaded machine is slow to
    get there, but must), and q still quits at once."""
    config = tiny.with_overrides(epochs=1_000_000)
    keys = [
        "n",
        "space",
        "full_stop",
        "plus",
        "minus",
        "f",
        "a",
        "r",
        "l",
        "m",
        "p",
        "question_mark",
        "escape",
        "plus",
        "space",
    ]

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        for i in range(250):
            key = keys[i % len(keys)]
            app.post_message(events.Key(key, "." if key == "full_stop" else None))
            await asyncio.sleep(0.02)
        app.post_message(events.Key("escape", None))
        app.post_message(events.Key("escape", None))
        calm = lambda: len(app.screen_stack) == 1 and app.source.commands.qsize() == 0  # noqa: E731
        for _ in range(600):
            if calm():
                break
            await asyncio.sleep(0.05)
        assert len(app.screen_stack) == 1
        snap = app.snapshot
        assert snap.pace is None or snap.pace <= 10_000
        assert app.source.commands.qsize() == 0
        app.post_message(events.Key("q", "q"))
        await quits_within(app, 1.0)

    app = drive(config, script)  # which checks that the training thread ended
    assert app.return_code == 0


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "xterm"}])
def test_runs_without_colour_and_in_16_colours(tiny, monkeypatch, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert "task 1 done" in screen_text(app)
        assert app.no_color == ("NO_COLOR" in env)
        app.export_screenshot()

    drive(tiny, script)


def test_many_apps_in_one_process_leave_no_thread_behind(tiny):
    """Apps run one after another (as the tests run them): each trains from the start, in
    its own worker, and leaves no thread behind."""
    before = set(threading.enumerate())

    async def script(app, pilot):
        await until(pilot, lambda s: s.step > 0)
        assert app.snapshot.run == 0

    workers = [drive(tiny, script).worker for _ in range(3)]
    assert len(set(workers)) == 3
    assert set(threading.enumerate()) <= before


def test_keys_typed_after_quit_start_nothing(tiny):
    """'q' then 'm' in one burst (tmux sends a word as its letters): the picker must not
    open on an app that is shutting down."""

    pushed = []

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        push = app.push_screen
        app.push_screen = lambda screen, *args, **kwargs: (
            pushed.append(screen),
            push(screen, *args, **kwargs),
        )[1]
        for key in ("q", "m", "p", "question_mark"):
            app.post_message(events.Key(key, None))
        await asyncio.sleep(0.3)

    app = drive(tiny, script)
    assert app.return_code == 0
    assert pushed == []  # no picker, no help: nothing was opened after q


def test_keys_while_the_runner_is_being_built_do_nothing(tiny, monkeypatch):
    """The first frame comes before the runner (torch's first optimizer takes a while to
    load): keys pressed then neither crash nor act, and the footer shows them once ready.
    The runner is held back by a gate, not a delay, so a slow machine cannot race it."""
    gate = threading.Event()
    build = runner_module.Runner

    def gated(*args, **kwargs):
        assert gate.wait(30), "the test never opened the gate"
        return build(*args, **kwargs)

    monkeypatch.setattr(runner_module, "Runner", gated)

    async def script(app, pilot):
        await pilot.pause(0.1)
        assert not app.ready
        assert "● starting" in screen_text(app)
        for key in ("n", "space", "plus", "m", "p", "r", "full_stop", "s"):
            app.post_message(events.Key(key, None))
        await asyncio.sleep(0.1)
        assert len(app.screen_stack) == 1 and not app.ready
        gate.set()
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert snap.run == 0 and snap.task == 0  # nothing typed early took effect
        assert "n next" in screen_text(app)

    drive(tiny, script)
