"""The suite's exit, guarded: a thread that a timed-out test left running (a training loop
is not a daemon) would keep a process from exiting, and an xdist run from ending."""

import faulthandler
import os

EXIT_GRACE_S = float(os.environ.get("CFTUI_TEST_EXIT_GRACE_S", "30"))  # after the last test


def pytest_unconfigure(config):
    """After the grace, every thread's stack is printed and the process exits (1); a clean
    exit comes first and cancels nothing it needs. Not in an xdist worker: one that finished
    its files waits for the others (longer than any grace), and execnet ends it itself."""
    if not hasattr(config, "workerinput"):
        faulthandler.dump_traceback_later(EXIT_GRACE_S, exit=True)
