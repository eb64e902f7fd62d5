"""Replaying a recording (cftui.tui.replay): the Player keeps the recorded timing and obeys
the runner's commands and the seeks; the app shows it under the same panels, without torch."""

import asyncio
import dataclasses
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from textual.screen import ModalScreen
from threads import stop

from cftui.live import player as player_module
from cftui.live.player import FRAME_GAP_S, Player, Seek, task_starts
from cftui.live.runner import Runner
from cftui.results import record
from cftui.results.recording import MAX_GAP_S, Frame, Recording, read, timeline
from cftui.train import catalog
from cftui.train.snapshot import Command, State
from cftui.tui.replay import ReplayApp

from conftest import small
from tui_helpers import screen_text, until

WAIT_S = 10.0


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A paced two-task run recorded to a file: about six frames a task."""
    path = tmp_path_factory.mktemp("replay") / "run.jsonl"
    with record.Recorder(path) as recorder:
        Runner(small(catalog.resolve("polynomial"), epochs=30), pace=30.0).run(recorder)
    return path


def spaced(recording: Recording, seconds: float) -> Recording:
    """The same frames, ``seconds`` apart: timings a test can count on."""
    frames = [Frame(i * seconds, f.snapshot) for i, f in enumerate(recording.frames)]
    return dataclasses.replace(recording, frames=frames)


def play(player: Player, publish=lambda s: None) -> threading.Thread:
    thread = threading.Thread(target=player.run, args=(publish,), daemon=True)
    thread.start()
    return thread


def settle(player: Player, condition) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if condition(player):
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out at frame {player.position}")


@pytest.mark.parametrize(("spacing", "speed"), [(0.15, 1.0), (0.3, 2.0)])
def test_every_frame_is_played_in_order_at_the_recorded_timing(recorded, spacing, speed):
    recording = spaced(read(recorded), spacing)
    player, shown = Player(recording, speed=speed), []
    started = time.monotonic()
    last = player.run(lambda snap: shown.append((time.monotonic() - started, snap)), True)
    assert [snap for _, snap in shown] == [f.snapshot for f in recording.frames]
    assert last is recording.frames[-1].snapshot and last.state is State.FINISHED
    # each frame at its recorded time: never early, and a late one (a loaded machine) does
    # not delay the ones after it (the times are kept from the start, not frame to frame)
    due = [spacing / speed * i for i in range(len(recording.frames))]
    assert all(at - 0.01 <= t <= at + 0.3 for (t, _), at in zip(shown, due, strict=True))


def test_a_fast_replay_draws_at_most_10_frames_a_second_and_ends_on_the_last(recorded):
    recording = spaced(read(recorded), 0.15)
    shown = []
    player = Player(recording, speed=64.0)
    started = time.monotonic()
    player.run(lambda snap: shown.append(snap), until_done=True)
    elapsed = time.monotonic() - started
    assert shown[-1] is recording.frames[-1].snapshot
    assert len(shown) <= elapsed / FRAME_GAP_S + 2 < len(recording.frames)


def test_a_long_wait_in_the_recording_plays_as_max_gap(recorded):
    recording = spaced(read(recorded), 0.5)
    frames = recording.frames
    frames[3:] = [dataclasses.replace(f, t=f.t + 100.0) for f in frames[3:]]
    times = timeline(recording.frames)
    assert times[3] - times[2] == MAX_GAP_S
    assert np.diff(times)[3:] == pytest.approx(0.5)


def test_commands_step_seek_restart_and_resume(recorded):
    recording = spaced(read(recorded), 0.25)  # a second is four frames
    frames = recording.frames
    starts = [0, next(i for i, f in enumerate(frames) if f.snapshot.task == 1)]
    assert 2 < starts[1] < len(frames) - 5
    player = Player(recording, paused=True)
    thread = play(player)
    settle(player, lambda p: p.snapshot.state is State.PAUSED)
    for command, arg, expected in [
        (Command.STEP_EPOCH, None, 1),
        (Seek.SECONDS, 1.0, 5),
        (Seek.SECONDS, -1.0, 1),
        (Seek.SECONDS, 0.1, 2),  # less than a frame on: the next frame
        (Seek.TASKS, 1, starts[1]),
        (Command.STEP_EPOCH, None, starts[1] + 1),
        (Seek.TASKS, -1, starts[1]),  # inside a task: to its start
        (Seek.TASKS, -1, 0),  # at a task's start: to the one before
        (Command.NEXT_TASK, None, starts[1]),
        (Command.SET_PACE, 4.0, starts[1]),
        (Seek.SECONDS, 1.0, starts[1] + 4),  # a second of the recording, whatever the speed
        (Seek.SECONDS, 1000.0, len(frames) - 1),
        (Command.RESET, None, 0),
    ]:
        player.send(command, arg)
        settle(player, lambda p, at=expected: p.position == at)
        shown = player.snapshot
        assert shown.step == frames[expected].snapshot.step, command
        recorded_state = frames[expected].snapshot.state
        assert shown.state is (State.PAUSED if recorded_state is State.RUNNING else recorded_state)
    player.send(Command.SET_PACE, 64.0)
    player.send(Command.TOGGLE_PAUSE)
    settle(player, lambda p: p.at_end)
    assert player.snapshot is frames[-1].snapshot
    player.stop()
    thread.join(timeout=WAIT_S)
    assert not thread.is_alive()


def test_stop_wakes_a_paused_player_at_once(recorded, monkeypatch):
    """A paused player sleeps on its inbox; stop() wakes it, not its next poll a minute on."""
    monkeypatch.setattr(player_module, "IDLE_POLL_S", 60.0)
    player = Player(read(recorded), paused=True)
    thread = play(player)
    settle(player, lambda p: p.snapshot.state is State.PAUSED)
    time.sleep(0.1)  # into its long sleep
    stop(player, thread)


def test_the_app_replays_with_seek_keys_and_says_it_is_a_replay(recorded):
    recording = read(recorded)
    frames, times, starts = recording.frames, timeline(recording.frames), task_starts(recording)
    a_second_on = int(np.searchsorted(times, times[0] + 1.0, side="right")) - 1
    assert a_second_on > 1  # a second holds several frames

    async def script(app, pilot):
        snap = await until(pilot, lambda s: s.state is State.PAUSED)
        assert snap.step == 0
        status = screen_text(app).splitlines()[1]
        assert f"⏸ paused 0:00/0:0{int(times[-1])} ×1 · run.jsonl" in status
        await pilot.press("right")
        assert app.snapshot.step == frames[a_second_on].snapshot.step
        await pilot.press("left")
        assert app.snapshot.step == frames[0].snapshot.step
        await pilot.press("right_square_bracket")
        assert (app.snapshot.task, app.snapshot.step) == (1, frames[starts[1]].snapshot.step)
        await pilot.press("left_square_bracket")
        assert app.snapshot.step == 0
        await pilot.press("m", "p", "c", "a", "f")  # off in a replay: nothing opens or changes
        assert not isinstance(app.screen, ModalScreen)
        off = ("pick_method", "pick_preset", "pick_compare", "auto_advance", "full_pace")
        assert not any(app.check_action(action, ()) for action in off)
        await pilot.press("question_mark")  # the help says the replay's keys, not training's
        keys = app.screen.text.split("| key | does |")[1]
        assert "| `←` / `→` | a second back / on |" in keys
        assert "| `[` / `]` | the previous / next task's start |" in keys
        assert "picker" not in keys and "pace:" not in keys and "full pace" not in keys
        await pilot.press("escape")
        await pilot.press("plus", "plus")
        assert app.speed == 4 and "×4" in screen_text(app).splitlines()[1]
        await pilot.press("space")
        await until(pilot, lambda s: s.state is State.FINISHED)
        assert app.snapshot is frames[-1].snapshot
        assert "▶ replay" in screen_text(app).splitlines()[1]  # played: not paused
        assert "end — r: from the start" in screen_text(app).splitlines()[1]
        await pilot.press("q")

    async def main():
        app = ReplayApp(recording, paused=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await script(app, pilot)

    asyncio.run(main())


def test_a_cut_recording_says_where_it_stopped(recorded, tmp_path):
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(recorded.read_bytes()[:-20])
    recording = read(cut)
    n_lines = len(recorded.read_bytes().splitlines())

    async def main():
        app = ReplayApp(recording, paused=True)
        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda s: s.state is State.PAUSED)
            line = screen_text(app).splitlines()[1]
            await pilot.press("q")
        return line

    assert f"recording cut: line {n_lines}: cut short" in asyncio.run(main())


WITHOUT_TORCH = """
import asyncio, json, sys

BLOCKED = sys.argv[2].split(",")

class NoTorch:  # as on a laptop without torch (or BLOCKED): any import fails, and is noted
    tried = []
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            NoTorch.tried.append(name)
            raise ModuleNotFoundError(name)

sys.meta_path.insert(0, NoTorch())
import cftui.commands.replay
from cftui.train import catalog
from cftui.results.recording import read
from cftui.tui.replay import ReplayApp

recording = read(sys.argv[1])

async def main():
    app = ReplayApp(recording, speed=64.0)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if app.snapshot is recording.frames[-1].snapshot:
                break
        print(app.snapshot.step, app.snapshot.state)
        AT_THE_END
        await pilot.press("q")

asyncio.run(main())
print(NoTorch.tried, sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED))
"""


def replays_to_its_end_without_torch(path, at_the_end: str = "pass", blocked: str = "torch") -> str:
    """The replay of ``path``, in a process where torch (and each of the comma-separated
    ``blocked``) cannot be imported, reaches the recording's last step, finished, and never
    tried to load them. ``at_the_end``: code run there, at the last frame (``app`` and
    ``pilot`` at hand); what it printed returns."""
    last = read(path).frames[-1].snapshot
    script = WITHOUT_TORCH.replace("AT_THE_END", at_the_end)
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), blocked],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [lines[0], lines[-1]] == [f"{last.step} finished", "[] []"]
    return "\n".join(lines[1:-1])


def test_replay_runs_to_the_last_frame_where_torch_cannot_be_imported(recorded):
    replays_to_its_end_without_torch(recorded)


def test_a_side_by_side_recording_replays_in_the_side_by_side_view(tmp_path):
    """One method's run, then several side by side (as `c` does while recording): the
    replay opens on the first, and goes to the side-by-side view with the recording."""
    from cftui.train.snapshot import Comparison
    from cftui.tui.compare_view import CompareView

    path = tmp_path / "compare.jsonl"
    with record.Recorder(path) as recorder:
        config = small(catalog.resolve("polynomial"), epochs=6)
        Runner(config).run(recorder)
        Runner(config, methods=["naive", "ewc"]).run(recorder)
    recording = read(path)
    last = recording.frames[-1].snapshot

    async def main():
        app = ReplayApp(recording, speed=64.0, paused=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.query_one("#views").current == "main" and not app.compare
            await pilot.press("space")
            for _ in range(250):
                await pilot.pause(0.02)
                if app.snapshot is last:
                    break
            assert isinstance(app.snapshot, Comparison) and app.compare == ("naive", "ewc")
            view = app.query_one(CompareView)
            assert view.display and app.query_one("#views").current == "compare"
            await pilot.press("q")

    asyncio.run(main())


def test_at_80x24_a_side_by_side_replay_says_pgup_pgdn_turn_its_pages(tmp_path):
    """←/→ seek in a replay, so its panel pages turn with pgup/pgdn, and the table's page
    note says so (it said "(←/→)", the live app's keys, and → seeked instead)."""
    from cftui.tui.compare_view import MethodPanel

    path = tmp_path / "three.jsonl"
    with record.Recorder(path) as recorder:
        config = small(catalog.resolve("polynomial"), epochs=2)
        Runner(config, methods=["naive", "ewc", "replay"]).run(recorder)

    async def main():
        app = ReplayApp(read(path), paused=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda _: "page 1/2" in screen_text(app))
            assert "page 1/2 (pgup/pgdn)" in screen_text(app), screen_text(app)
            await pilot.press("pagedown")
            await until(pilot, lambda _: "page 2/2 (pgup/pgdn)" in screen_text(app))
            assert [panel.border_title for panel in app.query(MethodPanel)] == ["replay"]
            await pilot.press("q")

    asyncio.run(main())
