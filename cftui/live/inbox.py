"""Commands sent from any thread to a training loop, applied between its steps.

The Runner and the replay Player take commands the same way: send() never blocks the
sender (a UI thread), and a loop with nothing to do sleeps on the queue, so a command wakes
it at once. The Runner applies what has arrived before each step (apply_pending, wait); the
Player, whose next frame is due at a time, reads the queue itself with that time as its
timeout.
"""

from __future__ import annotations

import contextlib
import queue
import threading

from cftui.train.snapshot import Command

IDLE_POLL_S = 0.1  # how often an idle loop (nothing to train or play) looks at its stop flag


class Inbox:
    """The queue and the stop flag; a subclass says what a command does in apply()."""

    def __init__(self) -> None:
        self.commands: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()

    def send(self, command: Command, arg: object = None) -> None:
        """Queue a command; thread-safe, never blocks. Applied before the next step."""
        self.commands.put((command, arg))

    def stop(self) -> None:
        """Make the loop return promptly, from any thread."""
        self._stop.set()
        self.send(Command.STOP)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def apply(self, command: Command, arg: object) -> None:
        raise NotImplementedError

    def apply_pending(self) -> None:
        while not self.commands.empty():
            self.apply(*self.commands.get_nowait())

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking at once for a command."""
        with contextlib.suppress(queue.Empty):
            self.apply(*self.commands.get(timeout=max(seconds, 0.0)))
        self.apply_pending()
