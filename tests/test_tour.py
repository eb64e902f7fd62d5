"""`cftui tour`: each step says its text and sets up what it speaks of (preset, method, task,
pace, state); → / enter and ← move; every step shows within seconds of being reached."""

import argparse
import subprocess
import sys

import pytest

from cftui import cli
from cftui.commands import tour as tour_command
from cftui.live.pacing import default_pace
from cftui.train import catalog, methods
from cftui.train.snapshot import Comparison, State
from cftui.tui import tour_steps as tour
from cftui.tui.compare_view import MethodPanel
from cftui.tui.tour import TourApp
from cftui.tui.tour_steps import STEPS, Show

from conftest import small
from tui_helpers import run_app, screen_text, slowed, until

SHOWN_WITHIN_S = 5.0  # a step's small run shows its task within this (at the default pace,
# training task 1 of it alone would take SECONDS_PER_TASK = 10 s)
SLOWEST_STEPS_PER_S = 150  # DESIGN.md: the article's MLP, full batch of 2000 points, 1 thread
MAX_FULL_PACE_EPOCHS = 400  # the most a step trains at full pace before it shows


def drive(script, size=(120, 40), **kwargs):
    run_app(lambda: TourApp("cpu", prepare=small, **kwargs), script, size)


def expected(step):
    """What the runner shows once a step is set up: (task, state, paced)."""
    if step.show is Show.DATA:
        return step.task, State.PAUSED, True
    if step.show is Show.TRAINED:
        last = step.task == catalog.resolve(step.preset).data.n_tasks - 1
        return step.task, State.FINISHED if last else State.TASK_DONE, False
    return step.task, State.RUNNING, True


async def shows(app, pilot, index):
    """Wait for step ``index``'s setup; check it against the step, and its text."""
    step = STEPS[index]
    task, state, paced = expected(step)
    snap = await until(
        pilot,
        lambda s: s.run >= app.expected_run and s.task == task and s.state is state,
        timeout=SHOWN_WITHIN_S,
    )
    config = snap.scene.config
    assert (config.name, config.method.name) == (step.preset, step.methods[0])
    assert snap.pace == (pytest.approx(default_pace(config)) if paced else None)
    assert not snap.auto_advance
    assert snap.step == 0 if step.show is Show.DATA else snap.step > 0
    runs = snap.runs if isinstance(snap, Comparison) else (snap,)
    assert tuple(run.scene.config.method.name for run in runs) == step.methods
    assert all(
        len(run.loss_matrix) == task + (state is not State.RUNNING and state is not State.PAUSED)
        for run in runs
    )
    text = screen_text(app)
    assert f"{index + 1}/{len(STEPS)} {step.title}" in text
    assert step.text[:50] in text
    if len(step.methods) == 1:  # side by side, the table has the numbers instead
        assert "measured on " + step.preset in text


def test_every_step_says_its_text_and_sets_up_what_it_speaks_of():
    async def script(app, pilot):
        await shows(app, pilot, 0)
        for index in range(1, len(STEPS)):
            await pilot.press("right" if index % 2 else "enter")
            await shows(app, pilot, index)
        await pilot.press("right")  # past the last step: nothing changes
        assert app.index == len(STEPS) - 1
        for index in (len(STEPS) - 2, len(STEPS) - 3):
            await pilot.press("left")
            await shows(app, pilot, index)

    drive(script)


def test_back_from_the_first_step_stays_and_a_later_start_works():
    async def script(app, pilot):
        await shows(app, pilot, 2)
        await pilot.press("left", "left", "left")
        await shows(app, pilot, 0)
        await pilot.press("left")
        assert app.index == 0

    drive(script, start=2)


def test_steps_pressed_before_the_engine_is_built_are_set_up_once_it_is(monkeypatch):
    slowed(monkeypatch, "cftui.train.devices", "resolve", 1.0)  # as when torch loads

    async def script(app, pilot):
        assert app.snapshot is None  # not built yet: the keys move the tour anyway
        await pilot.press("right", "right", "right")
        await shows(app, pilot, 3)

    drive(script)


def test_the_remedies_step_shows_its_methods_side_by_side_and_back_goes_to_one():
    lineup = [step.title for step in STEPS].index("side by side")

    async def script(app, pilot):
        await shows(app, pilot, lineup)
        assert app.query_one("#views").current == "compare"
        titles = [panel.border_title for panel in app.query(MethodPanel)]
        assert titles == list(STEPS[lineup].methods)
        await pilot.press("left")  # a step of one method: the single view again
        await shows(app, pilot, lineup - 1)
        assert app.query_one("#views").current == "main" and not app.compare

    drive(script, start=lineup)


def test_every_step_is_reachable_within_a_minute_at_the_default_pace():
    """Each step restarts its run and trains the tasks before the one it shows at full pace:
    its cost is bounded by its structure, not by the steps before it."""
    total = 0
    for step in STEPS:
        config = catalog.resolve(step.preset)
        epochs = step.full_pace_epochs(config)
        assert epochs <= MAX_FULL_PACE_EPOCHS, step.title
        total += epochs  # one step per epoch: every preset of the tour trains full batch
        assert config.train.batch_size == 0
    assert total / SLOWEST_STEPS_PER_S < 60
    assert [s.full_pace_epochs(catalog.resolve(s.preset)) for s in STEPS[:5]] == [
        0,
        0,
        200,
        200,
        400,
    ]


def test_the_steps_follow_the_article():
    assert [s.preset for s in STEPS[4:8]] == ["polynomial", "rbf", "sigmoid", "fourier"]
    remedies = [s.methods for s in STEPS[8:13]]
    assert remedies == [
        ("joint",),
        ("ewc",),
        ("si",),
        ("replay",),
        ("naive", "ewc", "si", "replay"),
    ]
    scenarios = [(s.preset, s.methods, s.task) for s in STEPS[13:]]  # the three, side by side
    assert scenarios == [
        (preset, ("naive", "ewc", "si", "replay"), 2)
        for preset in ("blobs-class", "blobs-task", "moons-domain")
    ]
    for step in STEPS:
        assert set(step.methods) <= set(methods.names())
        assert step.task < catalog.resolve(step.preset).data.n_tasks


def parse(*argv):
    parser = cli.Parser(prog="cftui")
    commands = parser.add_subparsers(dest="command", parser_class=cli.Parser)
    tour_command.add_parser(commands, {"common": argparse.ArgumentParser(add_help=False)})
    return parser.parse_args(argv)


def test_the_command_takes_a_step_number_and_refuses_a_bad_one(capsys):
    args = parse("tour", "--step", "3", "--device", "cpu")
    assert (args.step, args.device, args.handler) == (2, "cpu", tour_command.main)
    for bad in ("0", str(len(STEPS) + 1), "x"):
        with pytest.raises(SystemExit) as exit:
            parse("tour", "--step", bad)
        assert exit.value.code == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "--step" in err


def test_the_tour_and_explain_modules_load_neither_torch_nor_textual():
    code = (
        "import sys, cftui.commands.tour, cftui.tui.tour_steps, cftui.train.explain;"
        "print(sorted(m for m in ('torch', 'textual') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
    assert (
        tour.Step("t", "x", task=1, show=Show.TRAINED).full_pace_epochs(
            small(catalog.resolve("polynomial"), epochs=7)
        )
        == 14
    )


def test_cftui_tour_refuses_a_bad_step_in_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "cftui", "tour", "--step", "99"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"cftui tour: error: argument --step: choose a step from 1 to {len(STEPS)}, got 99"
        " (see cftui tour --help)"
    ]


def test_at_80x24_the_remedies_step_pages_with_pgup_pgdn_and_arrows_still_move_the_tour():
    lineup = len(STEPS) - 1

    async def script(app, pilot):
        await shows(app, pilot, lineup)
        assert "page 1/2 (pgup/pgdn)" in screen_text(app)
        await pilot.press("pagedown")
        await pilot.pause()
        assert [panel.border_title for panel in app.query(MethodPanel)] == ["si", "replay"]
        await pilot.press("left")
        await shows(app, pilot, lineup - 1)

    drive(script, size=(80, 24), start=lineup)


REMEDIES = [index for index, step in enumerate(STEPS) if step.watch]


def test_each_remedy_step_says_what_it_shows_in_a_line():
    assert [STEPS[index].methods[0] for index in REMEDIES] == [
        "joint",
        "ewc",
        "si",
        "replay",
        "naive",
        "naive",  # the three scenarios, side by side
        "naive",
        "naive",
    ]
    assert all(len(STEPS[index].watch) <= 78 for index in REMEDIES)  # whole at 80 columns


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("index", REMEDIES)
def test_while_a_remedy_trains_the_advice_says_what_the_step_shows(index, size, colour):
    """Not naive's "watch task 1's loss climb" while the chart shows it held."""

    async def script(app, pilot):
        await shows(app, pilot, index)
        lines = screen_text(app).splitlines()
        assert lines[1].strip() == STEPS[index].watch

    drive(script, size=size, start=index)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_the_last_step_offers_no_next_step(size, colour):
    last = len(STEPS) - 1

    async def script(app, pilot):
        await shows(app, pilot, last)
        text = screen_text(app)
        assert f"{last + 1}/{last + 1} {STEPS[last].title} · ←: back · i: why" in text
        assert "next" not in text.splitlines()[-1].replace("n next", "")  # the footer
        assert "→/enter: next" not in text
        await pilot.press("right")
        assert app.index == last

    drive(script, size=size, start=last)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_the_footer_holds_the_tours_keys_whole(size, colour):
    async def script(app, pilot):
        await shows(app, pilot, 1)
        footer = screen_text(app).splitlines()[-1]
        for keys in ("→ next step", "← back", "? help", "q quit", "+/- pace", "^p palette"):
            assert keys in footer, keys
        assert f"2/{len(STEPS)} {STEPS[1].title} · →/enter: next · ←: back" in screen_text(app)

    drive(script, size=size, start=1)
