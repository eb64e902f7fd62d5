"""Replay: a recording played in the live app, with no torch (cftui.live.player feeds it).

The app is the live one with a Player as its Source: a side-by-side recording plays in the
side-by-side view. space pauses, +/- change the speed, "." steps a frame, r starts over, n
and [ ] go to a task's start, ←/→ seek a second. The keys that would train something else
(method, preset, auto-advance, full pace) are off.
"""

from __future__ import annotations

import dataclasses

from textual.app import App
from textual.binding import Binding
from textual.widgets import ContentSwitcher

from cftui.live.player import SPEED_RANGE, Player, Seek
from cftui.results.recording import Recording
from cftui.train.snapshot import Command, Comparison, Snapshot
from cftui.tui.app import CftuiApp
from cftui.tui.compare_view import CompareView
from cftui.tui.screens import key_rows

REPLAY_OFF = {"pick_method", "pick_compare", "pick_preset", "auto_advance", "full_pace"}
REPLAY_OFF |= {"reload_method", "traceback"}  # nothing trains: no method file to reload
IN_A_REPLAY = {  # the live app's keys that play the recording: their words (or keys) here
    "pause": {"description": "play/pause"},
    "next_task": {"description": "next task", "show": False},
    "faster": {"description": "speed"},
    "step_epoch": {"description": "one frame"},
    "restart": {"description": "from the start"},
    "turn_page(-1)": {"key": "pageup"},  # ← and → seek here
    "turn_page(1)": {"key": "pagedown"},
}


def clock_text(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


class ReplayApp(CftuiApp):
    TITLE = "cftui replay"
    COMMANDS = App.COMMANDS  # no "method: ..." or "preset: ...": nothing trains here
    BINDINGS = [  # the live app's keys that apply, in a replay's words, and the player's own
        *(
            dataclasses.replace(binding, **IN_A_REPLAY.get(binding.action, {}))
            for binding in CftuiApp.BINDINGS
            if binding.action not in REPLAY_OFF
        ),
        Binding("left", "seek(-1)", "-1 s", show=False),
        Binding("right", "seek(1)", "seek", key_display="←/→"),
        Binding("left_square_bracket,shift+left", "seek_task(-1)", "task", key_display="[/]"),
        Binding("right_square_bracket,shift+right", "seek_task(1)", "next task", show=False),
    ]
    HELP_ROWS = (
        (("pause",), "play / pause"),
        (("step_epoch",), "one recorded frame on, while paused"),
        (("seek(-1)", "seek(1)"), "a second back / on"),
        (("seek_task(-1)", "seek_task(1)"), "the previous / next task's start"),
        (("next_task",), "the next task's start"),
        (("faster", "slower"), "speed: twice / half (×1/16 to ×64)"),
        (("restart",), "play again from the start"),
        *key_rows("explain", "turn_page(-1)", "short_view", "toggle_confusion"),
        *key_rows("toggle_log", "screenshot"),
        *key_rows("figures"),
        *key_rows("export_csv", "help", "quit"),
        (("command_palette",), "every action by name"),
    )

    def __init__(self, recording: Recording, speed: float = 1.0, paused: bool = False) -> None:
        first = recording.frames[0].snapshot
        config, device, pace = first.scene.config, first.scene.device, first.pace
        compare = first.methods if isinstance(first, Comparison) else ()
        super().__init__(config, device, pace=pace, paused=paused, compare=compare)
        self.recording, self.speed = recording, speed

    def on_mount(self) -> None:
        self.query_one(CompareView).page_keys = "pgup/pgdn"  # ←/→ seek here (IN_A_REPLAY)

    def draw(self, snap: Snapshot | Comparison) -> None:
        """A recording can go from one method to several side by side, and back."""
        compare = snap.methods if isinstance(snap, Comparison) else ()
        if compare != self.compare:
            self.compare = compare
            self.query_one(ContentSwitcher).current = "compare" if compare else "main"
        super().draw(snap)

    def _build_source(self) -> Player:
        return Player(self.recording, self.speed, self.start["paused"])

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in REPLAY_OFF:
            return False
        return super().check_action(action, parameters)

    def acts_now(self, action: str) -> bool:
        """Every key acts on the player (play, seek, speed), whatever the recorded run's state."""
        return True

    def status_advice(self) -> str:
        """Replay, where it is, its speed and the file; where the recording was cut."""
        player = self.source
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
        self.source.send(Seek.SECONDS, float(seconds))

    def action_seek_task(self, direction: int) -> None:
        self.source.send(Seek.TASKS, int(direction))

    def _set_speed(self, speed: float) -> None:
        self.speed = min(max(speed, SPEED_RANGE[0]), SPEED_RANGE[1])
        self.source.send(Command.SET_PACE, self.speed)
        self.show_status()

    def action_faster(self) -> None:
        self._set_speed(self.speed * 2)

    def action_slower(self) -> None:
        self._set_speed(self.speed / 2)
