"""What feeds a view: all the app knows of a Runner (training) or a Player (a recording).

The app sends commands, starts run() in its worker thread with a publish callback, reads
the latest snapshot, and stops it on quit. Either kind fits, so the same views draw a live
run and its replay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from cftui.train.snapshot import Command, Comparison, Snapshot

View = Snapshot | Comparison  # one run, or several side by side


class Source(Protocol):
    def send(self, command: Command, arg: object = None) -> None:
        """Queue a command; thread-safe, never blocks."""

    def stop(self) -> None:
        """Make run() return promptly, from any thread."""

    def run(self, publish: Callable[[View], None], until_done: bool = ...) -> View:
        """Publish views until stopped, or with ``until_done`` until the end (of training,
        of the recording); the app's worker passes False, so the end waits for a restart.
        The default is each kind's common use: True for a Runner (headless runs), False
        for a Player."""

    @property
    def snapshot(self) -> View:
        """The latest view published."""
