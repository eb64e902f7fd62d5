"""A Runner (or Player) in its own thread, as the app's worker runs it, and waiting on what
it publishes: every wait has a timeout and then fails with where the run stood."""

from __future__ import annotations

import threading
import time

WAIT_S = 20.0  # generous: a loaded CI machine is slow, and a pass returns at once


def start(source) -> threading.Thread:
    """Run ``source`` until stopped, in a daemon thread; returns the thread."""
    thread = threading.Thread(target=source.run, kwargs={"until_done": False}, daemon=True)
    thread.start()
    return thread


def wait_for(source, condition, timeout: float = WAIT_S):
    """Poll the published snapshot until ``condition`` holds; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition(snap := source.snapshot):
            return snap
        time.sleep(0.005)
    raise AssertionError(f"timed out; last snapshot: {source.snapshot}")


def stop(source, thread: threading.Thread) -> None:
    """Stop ``source`` and check that its thread ends promptly."""
    source.stop()
    thread.join(5)
    assert not thread.is_alive()
