"""Replay: a recording (cftui.results.recording) played back as a live run, with no torch.

A Player stands where the Runner stands: it takes the same commands through one inbox and
publishes the recorded snapshots at their recorded timing, so the same views draw them at
the same cost; a side-by-side recording publishes Comparisons. Pause, speed (SET_PACE),
one frame (STEP_EPOCH), start over (RESET), a task's start (NEXT_TASK, Seek.TASKS) and a
second either way (Seek.SECONDS). Pauses in the recording longer than its timeline's gap
play shorter (recording.timeline).
"""

from __future__ import annotations

import dataclasses
import enum
import queue
import time
from collections.abc import Callable

import numpy as np

from cftui.live.inbox import IDLE_POLL_S, Inbox
from cftui.results.recording import Recording, timeline
from cftui.train.snapshot import Command, Snapshot, State

SPEED_RANGE = (1 / 16, 64.0)  # playback speeds that --speed and the app's +/- stay within
FRAME_GAP_S = 0.1  # at most 10 frames a second are drawn, however fast the replay


class Seek(enum.Enum):
    SECONDS = "seek seconds"  # arg: seconds of replay, + or -
    TASKS = "seek tasks"  # arg: +1 (the next task's start) or -1 (this or the last one's)


def task_starts(recording: Recording) -> list[int]:
    """Indices of the frames where a task (or a rerun) begins."""
    where = [(frame.snapshot.run, frame.snapshot.task) for frame in recording.frames]
    return [0] + [i for i in range(1, len(where)) if where[i] != where[i - 1]]


class Player(Inbox):
    """A recording as a Source (send, stop, run, snapshot): what a Runner is to training."""

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

    # -- the Source surface ----------------------------------------------------------------

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
