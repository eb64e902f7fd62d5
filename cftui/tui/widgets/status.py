"""The status line: where the run stands, in words, and what the user can do next."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from cftui.snapshot import Snapshot, State
from cftui.tui.widgets.changed_rows import ChangedRows

STATE_STYLES = {
    State.RUNNING: "bold green",
    State.PAUSED: "bold yellow",
    State.TASK_DONE: "bold cyan",
    State.FINISHED: "bold blue",
    State.DIVERGED: "bold red",
}


def pace_text(pace: float | None) -> str:
    return "full pace" if pace is None else f"{pace:.3g} ep/s"


def hint(snap: Snapshot) -> str:
    n_tasks = len(snap.scene.tasks)
    if snap.state is State.TASK_DONE:
        return f"task {snap.task + 1} done — n: next task · a: auto-advance"
    if snap.state is State.FINISHED:
        return "finished — r: rerun · m: try another method · p: another preset"
    if snap.state is State.DIVERGED:
        return f"{snap.message} — r: rerun · m: method · p: preset"
    if snap.state is State.PAUSED:
        return "paused — space: resume · .: one epoch · n: next task"
    if snap.task + 1 < n_tasks:
        return f"training task {snap.task + 1}: watch the other tasks' loss — n: switch now"
    return f"training task {snap.task + 1}: are the earlier tasks holding?"


class StatusLine(ChangedRows, Widget):
    def show(self, snap: Snapshot, error: str = "") -> None:
        """State first, so it survives a narrow terminal; then the run, then what to do."""
        config = snap.scene.config
        line = Text.assemble(
            *_run(str(snap.state), STATE_STYLES[snap.state], config),
            f" · task {snap.task + 1}/{len(snap.scene.tasks)}",
            f" · epoch {snap.epoch}/{config.train.epochs}",
            f" · step {snap.step}",
            f" · {pace_text(snap.pace)}",
            " (auto-advance)" if snap.auto_advance and len(snap.scene.tasks) > 1 else "",
            f" · {snap.scene.device}",
        )
        self._lines(line, hint(snap), error)

    def starting(self, config, error: str = "") -> None:
        line = Text.assemble(*_run("starting", "bold", config))
        self._lines(line, "loading PyTorch and drawing the data…", error)

    def _lines(self, line: Text, advice: str, error: str) -> None:
        """The second line is the advice, or the error in its place."""
        style = "bold red" if error else "dim"
        advice_line = Text(error or advice, style=style)
        self.repaint(Text("\n").join([line, advice_line]))


def _run(state: str, style: str, config) -> tuple:
    """The head of the first line: the state, then the preset and the method."""
    return ("● " + state, style), " · ", (config.name, "bold"), " · ", (config.method.name, "bold")
