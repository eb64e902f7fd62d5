"""The edit -> watch loop in the app: R loads the method file again and reruns it with the
same data and initial weights; a hook that raises names its file and line, t shows the
traceback, and the app stays alive; a file that no longer loads changes nothing."""

import textwrap

import pytest
import reload_probe
import torch
from test_method_files import registry  # noqa: F401 (a fresh registry per test)
from textual.worker import WorkerState

from cftui.train import methods
from cftui.train.snapshot import State
from cftui.tui.method_files import TracebackPane

from tui_helpers import drive, screen_text, until

pytestmark = pytest.mark.timeout(120)

PROBE = """
import reload_probe
from cftui.train.methods.base import Method

VERSION = {version}


class Mine(Method):
    \"\"\"a method under edit\"\"\"

    def before_task(self, model, data, k):
        if k == 0:
            params = [p.detach().clone() for p in model.parameters()]
            reload_probe.SEEN.append((VERSION, params, data.train(0)[0].clone()))
{extra}
"""
RAISES = "\n    def after_task(self, model, data, k):\n        raise RuntimeError('boom')\n"


def write(path, version, extra=""):
    path.write_text(textwrap.dedent(PROBE.format(version=version, extra=extra)))


async def wait_for(pilot, condition, timeout=20.0):
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def mine(tmp_path, tiny):
    path = tmp_path / "mine.py"
    write(path, 1)
    reload_probe.SEEN.clear()
    name = methods.use_file(path)
    return path, tiny.with_overrides(method=name)


def test_r_reloads_the_file_and_reruns_with_the_same_data_and_weights(mine):
    path, config = mine

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        write(path, 2)  # the edit
        await pilot.press("R")
        await wait_for(pilot, lambda: [v for v, *_ in reload_probe.SEEN] == [1, 2])
        await until(pilot, lambda s: s.state is State.TASK_DONE and s.scene.config is not None)
        (_, weights, points), (_, again, points_again) = reload_probe.SEEN
        assert all(torch.equal(a, b) for a, b in zip(weights, again, strict=True))
        assert torch.equal(points, points_again)
        assert not app.error

    drive(config, script)


def test_a_raising_hook_names_its_line_shows_the_traceback_and_r_after_a_fix(mine):
    path, config = mine
    write(path, 1, RAISES)
    methods.use_file(path)
    line = path.read_text().splitlines().index("        raise RuntimeError('boom')") + 1

    async def script(app, pilot):
        await wait_for(pilot, lambda: bool(app.error))
        assert app.error == (
            f"training stopped: {path}:{line}: RuntimeError: boom — t: traceback, "
            "R: reload the file"
        )
        assert app.worker.state is WorkerState.ERROR and "training stopped" in screen_text(app)
        await pilot.press("t")
        assert isinstance(app.screen, TracebackPane)
        assert f'File "{path}", line {line}, in after_task' in app.screen.text
        await pilot.press("escape")
        write(path, 2)  # the fix
        await pilot.press("R")
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert not app.error and app.worker.state is WorkerState.RUNNING

    drive(config, script)


def test_a_file_that_no_longer_loads_leaves_the_run_as_it_was(mine):
    path, config = mine

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        source, worker = app.source, app.worker
        path.write_text("def broken(:\n")
        await pilot.press("R")
        assert app.error.startswith(f"reload failed: {path}:1: SyntaxError")
        assert app.source is source and worker.is_running  # the run goes on, as it was
        assert methods.get("mine").__name__ == "Mine"

    drive(config, script)


def test_a_file_method_side_by_side_with_built_ins(mine):
    _, config = mine

    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.TASK_DONE)
        assert snap.methods == ("naive", "mine")
        naive, mine_run = snap.runs
        assert naive.loss_matrix == mine_run.loss_matrix  # naive's numbers, side by side
        assert naive.loss_band is not None  # two seeds, batched: a band around the median

    drive(config, script, compare=("naive", "mine"), seeds=2)


def test_the_pickers_open_a_file_runs_it_and_a_broken_one_is_one_line(mine, tmp_path):
    from textual.widgets import Input, OptionList

    from cftui.tui.method_files import FilePrompt
    from cftui.tui.screens import OPEN_FILE

    path, config = mine
    broken = tmp_path / "broken.py"
    broken.write_text("import nope\n")

    async def choose_file(app, pilot, chosen):
        await pilot.press("m")
        options = app.screen.query_one(OptionList)
        assert app.screen.entries[-1][0] == OPEN_FILE
        options.highlighted = len(app.screen.entries) - 1
        await pilot.press("enter")
        assert isinstance(app.screen, FilePrompt)
        app.screen.query_one(Input).value = str(chosen)
        await pilot.press("enter")

    async def script(app, pilot):
        await until(pilot, lambda s: s.state is State.TASK_DONE)
        await choose_file(app, pilot, broken)
        assert app.snapshot.scene.config.method.name == "naive"  # nothing changed
        assert "broken" not in methods.names() and app.worker.is_running
        await choose_file(app, pilot, path)
        await until(pilot, lambda s: s.scene.config.method.name == "mine")

    drive(config.with_overrides(method="naive"), script, notifications=True)
