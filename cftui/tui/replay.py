"""Replay: a recording (cftui.results.record) played in the live app, with no torch.

A Player stands where the engine stands: it takes the same commands through one queue and
publishes the recorded snapshots at their recorded timing, so the same widgets draw them at
the same cost; a side-by-side recording plays in the side-by-side view. space pauses, +/-
change the speed, "." steps a frame, r starts over, n and [ ] go to a task's start, ←/→ seek
a second. Pauses in the recording longer than MAX_GAP_S play as MAX_GAP_S. The keys that
would train something else (method, preset, auto-advance, full pace) are off.
"""

from __future__ import annotations

import dataclasses
import enum
import queue
import time
from collections.abc import Callable

import numpy as np
from textual.app import App
from textual.binding import Binding
from textual.widgets import ContentSwitcher

from cftui.commands.replay import SPEED_RANGE
from cftui.live.inbox import Inbox
from cftui.results.recording import Recording, timeline
from cftui.train.snapshot import Command, Comparison, Snapshot, State
from cftui.tui.app import CftuiApp

FRAME_GAP_S = 0.1  # at most 10 frames a second are drawn, however fast the replay
IDLE_POLL_S = 0.1  # how often an idle player looks at its stop flag
REPLAY_OFF = {"pick_method", "pick_compare", "pick_preset", "auto_advance", "full_pace"}


class Seek(enum.Enum):
    SECONDS = "seek seconds"  # arg: seconds of replay, + or -
    TASKS = "seek tasks"  # arg: +1 (the next task's start) or -1 (this or the last one's)


def task_starts(recording: Recording) -> list[int]:
    """Indices of the frames where a task (or a rerun) begins."""
    where = [(frame.snapshot.run, frame.snapshot.task) for frame in recording.frames]
    return [0] + [i for i in range(1, len(where)) if where[i] != where[i - 1]]


class Player(Inbox):
    """The engine's surface (send, stop, run, snapshot) over a recording."""

    def __init__(self, recording: Recording, speed: float = 1.0, paused: bool = False) -> None:
        super().__init__()
        self.recording = recording
        self.times = timeline(recording.frames)
        self.starts = task_starts(recording)
        self.speed, self.paused = speed, paused
        self.position = 0
        self._publish: Callable[[Snapshot], None] = lambda s: None
        self._snapshot = self._shown()
        self._anchor = (time.monotonic(), 0.0)  # (clock, replay time) when play last resumed
        self._shown_at = 0.0

    # -- the engine's surface ----------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def at_end(self) -> bool:
        return self.position == len(self.times) - 1

    def run(
        self, publish: Callable[[Snapshot], None] = lambda s: None, until_done: bool = False
    ) -> Snapshot:
        """Play until stopped (or, with ``until_done``, to the last frame)."""
        self._publish = publish
        self._show(self.position)
        while not self.stopping and not (until_done and self.at_end):
            wait = self._until_next()
            try:
                command, arg = self.commands.get(timeout=IDLE_POLL_S if wait is None else wait)
            except queue.Empty:
                if wait is not None:
                    self._show(self._due(), anchor=False)
                continue
            self.apply(command, arg)
        return self._snapshot

    # -- playing -------------------------------------------------------------------------------

    def _clock(self) -> float:
        """Where the replay is now, in replay seconds."""
        started, at = self._anchor
        return at + (time.monotonic() - started) * self.speed

    def _until_next(self) -> float | None:
        """Seconds until the next frame is due; None while paused or at the end."""
        if self.paused or self.at_end:
            return None
        due = (self.times[self.position + 1] - self._clock()) / self.speed
        return max(due, self._shown_at + FRAME_GAP_S - time.monotonic(), 0.0)

    def _due(self) -> int:
        """The latest frame due now (the ones between are skipped: a frame holds it all)."""
        latest = int(np.searchsorted(self.times, self._clock(), side="right")) - 1
        return max(latest, self.position + 1)

    def apply(self, command: Command | Seek, arg: object) -> None:
        here = self.position
        if command is Command.TOGGLE_PAUSE:
            self.paused = not self.paused
        elif command is Command.STEP_EPOCH and self.paused:
            here += 1
        elif command is Command.SET_PACE and isinstance(arg, float | int):
            self.speed = float(arg)
        elif command is Command.RESET:
            here = 0
        elif command is Command.NEXT_TASK:
            here = self._task_start(1)
        elif command is Seek.TASKS:
            here = self._task_start(int(arg))
        elif command is Seek.SECONDS:
            target = int(np.searchsorted(self.times, self.times[here] + arg, side="right")) - 1
            here = max(target, here + 1) if arg > 0 else min(target, here - 1)
        elif command is Command.STOP:
            return
        self._show(here)

    def _task_start(self, direction: int) -> int:
        if direction > 0:
            return next((i for i in self.starts if i > self.position), self.position)
        return max((i for i in self.starts if i < self.position), default=0)

    def _shown(self) -> Snapshot:
        """The frame at the position, marked paused while the replay is."""
        snap = self.recording.frames[self.position].snapshot
        if self.paused and snap.state is State.RUNNING:
            return dataclasses.replace(snap, state=State.PAUSED)
        return snap

    def _show(self, position: int, anchor: bool = True) -> None:
        self.position = min(max(position, 0), len(self.times) - 1)
        if anchor:  # after a seek, a pause or a new speed, play on from this frame
            self._anchor = (time.monotonic(), float(self.times[self.position]))
        self._shown_at = time.monotonic()
        self._snapshot = self._shown()
        self._publish(self._snapshot)


def clock_text(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


class ReplayApp(CftuiApp):
    TITLE = "cftui replay"
    COMMANDS = App.COMMANDS  # no "method: ..." or "preset: ...": nothing trains here
    BINDINGS = [
        *CftuiApp.BINDINGS,
        Binding("left", "seek(-1)", "-1 s", show=False),
        Binding("right", "seek(1)", "seek", key_display="←/→"),
        Binding("left_square_bracket,shift+left", "seek_task(-1)", "task", key_display="[/]"),
        Binding("right_square_bracket,shift+right", "seek_task(1)", "next task", show=False),
    ]

    def __init__(self, recording: Recording, speed: float = 1.0, paused: bool = False) -> None:
        first = recording.frames[0].snapshot
        config, device, pace = first.scene.config, first.scene.device, first.pace
        compare = first.methods if isinstance(first, Comparison) else ()
        super().__init__(config, device, pace=pace, paused=paused, compare=compare)
        self.recording, self.speed = recording, speed

    def draw(self, snap: Snapshot | Comparison) -> None:
        """A recording can go from one method to several side by side, and back."""
        compare = snap.methods if isinstance(snap, Comparison) else ()
        if compare != self.compare:
            self.compare = compare
            self.query_one(ContentSwitcher).current = "compare" if compare else "main"
        super().draw(snap)

    def _build_engine(self) -> Player:
        return Player(self.recording, self.speed, self.start["paused"])

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return action not in REPLAY_OFF and super().check_action(action, parameters)

    def status_advice(self) -> str:
        """Replay, where it is, its speed and the file; where the recording was cut."""
        player = self.engine
        if player is None:
            return f"replay of {self.recording.path.name}"
        where = f"{clock_text(player.times[player.position])}/{clock_text(player.times[-1])}"
        state = "⏸ paused" if player.paused else "▶ replay"
        line = f"{state} {where} ×{self.speed:g} · {self.recording.path.name}"
        if self.recording.stopped:
            line += f" · recording cut: {self.recording.stopped}"
        elif player.at_end:
            line += " · end — r: from the start"
        return line

    def action_seek(self, seconds: float) -> None:
        self.engine.send(Seek.SECONDS, float(seconds))

    def action_seek_task(self, direction: int) -> None:
        self.engine.send(Seek.TASKS, int(direction))

    def _set_speed(self, speed: float) -> None:
        self.speed = min(max(speed, SPEED_RANGE[0]), SPEED_RANGE[1])
        self.engine.send(Command.SET_PACE, self.speed)
        self.show_status()

    def action_faster(self) -> None:
        self._set_speed(self.speed * 2)

    def action_slower(self) -> None:
        self._set_speed(self.speed / 2)
