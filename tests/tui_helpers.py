"""Driving a Textual app under Pilot, shared by every test of a screen: run a script against
an app, wait for its snapshots, read its screen, and check that its training thread ended
(a thread left running would outlive the test and slow or break the ones after it)."""

import asyncio
import importlib
import sys
import threading
import time
import traceback
from collections.abc import Callable

from cftui.tui.app import CftuiApp

WORKER_END_S = 5.0  # after the app exits, its training thread returns within this


def make_app(config, **kwargs) -> CftuiApp:
    return CftuiApp(config, "cpu", pace=kwargs.pop("pace", None), **kwargs)


def run_app(build: Callable, script, size=(120, 40), notifications=False):
    """Run ``script(app, pilot)`` on the app ``build()`` makes (inside the event loop, where
    the app is made in use); then the app has exited and its training thread ended.
    ``notifications``: show them on screen (Pilot's default keeps them off it)."""

    async def main():
        app = build()
        async with app.run_test(size=size, notifications=notifications) as pilot:
            await script(app, pilot)
        await worker_ended(app)
        return app

    return asyncio.run(main())


def drive(config, script, size=(120, 40), notifications=False, **kwargs):
    """``run_app`` on the main app for ``config``; ``kwargs`` go to the app."""
    return run_app(lambda: make_app(config, **kwargs), script, size, notifications)


async def until(pilot, condition, timeout: float = 20.0):
    """Let the app run until ``condition(app.snapshot)`` holds."""
    app = pilot.app
    for _ in range(int(timeout / 0.02)):
        if app.snapshot is not None and condition(app.snapshot):
            await settled(pilot)
            return app.snapshot
        await pilot.pause(0.02)
    snap = app.snapshot
    raise AssertionError(f"timed out at {snap and (snap.state, snap.step)}")


async def settled(pilot) -> None:
    """Let every stage of a change of state reach the screen: the app draws the panels and
    rebuilds the footer after the frame that shows the new state (draw), the footer's
    rebuild waits for the bindings' signal, then for a refresh. Each pause runs one stage, by
    Textual's own steps, not by the clock."""
    for _ in range(4):
        await pilot.pause()


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def region_text(app, widget) -> str:
    """What the screen shows inside ``widget``."""
    r = widget.region
    return "\n".join(line[r.x : r.right] for line in screen_text(app).splitlines()[r.y : r.bottom])


def worker_threads() -> list[str]:
    """The threads inside the app's training worker. Textual runs thread workers in
    asyncio's default executor (threads named asyncio_N) and marks one cancelled as soon as
    the app exits, while its thread may run on: so look at what each thread executes."""
    code = CftuiApp.train.__wrapped__.__code__
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    return [
        names.get(ident, str(ident))
        for ident, frame in sys._current_frames().items()
        if any(f.f_code is code for f, _ in traceback.walk_stack(frame))
    ]


async def worker_ended(app) -> None:
    """Wait for the app's training thread to return, and fail if it does not."""
    for _ in range(int(WORKER_END_S / 0.02)):
        if not worker_threads():
            assert app.worker.is_finished
            return
        await asyncio.sleep(0.02)
    # End the stray thread at its next snapshot, so that this failure is reported instead
    # of asyncio.run hanging in the join of its executor's threads.
    app.post_message = _fail_publishing
    raise AssertionError(f"the training worker still runs {WORKER_END_S} s after the app quit")


def _fail_publishing(message) -> None:
    raise RuntimeError("the app has quit")


async def quits_within(app, seconds: float) -> None:
    """The app stops running within ``seconds`` (after a quit key)."""
    for _ in range(int(seconds / 0.01)):
        if not app.is_running:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the app still runs {seconds} s after quit")


def slowed(monkeypatch, module: str, name: str, seconds: float) -> list:
    """Make ``module.name`` take ``seconds`` longer; the list it returns fills as it is called."""
    calls = []
    original = getattr(importlib.import_module(module), name)

    def slow(*args, **kwargs):
        calls.append(args)
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(f"{module}.{name}", slow)
    return calls


def held(monkeypatch, module: str, name: str, gate: threading.Event) -> list:
    """Make ``module.name`` wait for ``gate`` (at most 30 s) before it runs: a slow step
    that ends when the test says, not after a time a loaded machine may outlast. The list it
    returns fills as it is called."""
    calls = []
    original = getattr(importlib.import_module(module), name)

    def waits(*args, **kwargs):
        calls.append(args)
        gate.wait(timeout=30)
        return original(*args, **kwargs)

    monkeypatch.setattr(f"{module}.{name}", waits)
    return calls
