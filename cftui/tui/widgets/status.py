"""The status line: where the run stands, in words (and, right after the method, over how
many seeds its curves are the median and whether it is being recorded), and what the user
can do next.

The advice offers only keys that will do something now (no "n: next task" on the last
task), and the first line has a short form for 80 columns: what cannot fit is shortened on
purpose ("ep 3/200", "20ep/s"), not cut mid-word.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from cftui.train import explain, methods, problem
from cftui.train.config import Config
from cftui.train.snapshot import Comparison, Snapshot, State
from cftui.tui.widgets.changed_rows import ChangedRows

STATE_STYLES = {
    State.RUNNING: "bold green",
    State.PAUSED: "bold yellow",
    State.TASK_DONE: "bold cyan",
    State.FINISHED: "bold blue",
    State.DIVERGED: "bold red",
}


def pace_text(pace: float | None, short: bool = False) -> str:
    if pace is None:
        return "full pace"
    return f"{pace:.3g}{'' if short else ' '}ep/s"


def hint(snap: Snapshot | Comparison) -> str:
    task, n_tasks = snap.task + 1, len(snap.scene.tasks)
    last = task == n_tasks
    if snap.state is State.TASK_DONE:  # never the last task: that one ends FINISHED
        return f"task {task} done — n: on to task {task + 1} · a: auto-advance from now on"
    if snap.state is State.FINISHED:
        others = "c: compare others" if isinstance(snap, Comparison) else "m: try another method"
        return f"finished — r: rerun · {others} · p: another preset"
    if snap.state is State.DIVERGED:
        return f"{snap.message} — r: rerun · m: method · p: preset"
    if snap.state is State.PAUSED:
        where = "paused before training" if snap.step == 0 else "paused"
        go_on = "" if last else f" · n: on to task {task + 1}"
        return f"{where} — space: {'train' if snap.step == 0 else 'resume'} · .: one epoch{go_on}"
    if task == 1:
        return "training task 1" + ("" if last else " — n: end it now, on to task 2")
    earlier = "task 1's" if task == 2 else "the earlier tasks'"
    switch = "" if last else f" — n: on to task {task + 1}"
    return f"training task {task}: watch {earlier} loss climb{switch}"


class StatusLine(ChangedRows, Widget):
    def __init__(self, seeds: int = 1, recording: str = "", **kwargs) -> None:
        """``seeds``: how many seeds each run trains at once (its curves are their median);
        ``recording``: the file the run is recorded to, if it is."""
        super().__init__(**kwargs)
        self._shown: tuple = ()  # the arguments of the last show or starting, for a resize
        self.notes = [  # (long, short), right after the method: every form keeps them
            (f"median of {seeds} seeds", f"{seeds} seeds") if seeds > 1 else ("", ""),
            (f"● rec {recording}", "● rec") if recording else ("", ""),
        ]

    def show(self, snap: Snapshot | Comparison, error: str = "", advice: str | None = None) -> None:
        """State first, so it survives a narrow terminal; then the run, then what to do
        (``advice``, or else what the keys can do in this state)."""
        self._shown = (snap, error, advice)
        config = snap.scene.config
        auto = snap.auto_advance and len(snap.scene.tasks) > 1
        epochs = f"{snap.epoch}/{config.train.epochs}"
        fields = [  # (long, short, tightest): each form where the one before does not fit
            (f"task {snap.task + 1}/{len(snap.scene.tasks)}",) * 3,
            (f"epoch {epochs}", f"ep {epochs}", f"ep {epochs}"),
            (f"step {snap.step}", "", ""),
            (pace_text(snap.pace), pace_text(snap.pace, short=True), ""),
            ("auto-advance" if auto else "", "auto" if auto else "", ""),
            (snap.scene.device, "", ""),
        ]
        names = snap.methods if isinstance(snap, Comparison) else (config.method.name,)
        counted = names if len(names) == 1 else (f"{len(names)} methods",)
        heads = [  # the short forms count the methods compared (their panels name them),
            # then leave out the scenario (the preset's name says it: "digits-class")
            _run(str(snap.state), STATE_STYLES[snap.state], config, shown, scenario)
            for shown, scenario in ((names, True), (counted, True), (counted, False))
        ]
        lines = [  # the first that fits: the notes' long form outlasts the fields'
            Text.assemble(
                *heads[head],
                *(f" · {note[form]}" for note in self.notes if note[form]),
                *(f" · {field[size]}" for field in fields if field[size]),
            )
            for head, form, size in ((0, 0, 0), (1, 0, 1), (1, 1, 1), (1, 1, 2), (2, 1, 2))
        ]
        fits = [line for line in lines if line.cell_len <= self.size.width]
        self._lines(
            fits[0] if fits else lines[-1], advice or self._caution(snap) or hint(snap), error
        )

    def _caution(self, snap: Snapshot | Comparison) -> str | None:
        """While task 1 trains, where the method has no numbers measured on this preset:
        what it did on the zoo's presets like it, if it fell short there (the form that fits).
        Not while paused: then the line's keys (space: train or resume) are what acts."""
        if isinstance(snap, Comparison) or snap.task > 0 or snap.state is not State.RUNNING:
            return None
        said = explain.caution(snap.scene.config, snap.scene.config.method.name)
        if said is None:
            return None
        long, short = (f"{words} — i: why" for words in said)
        return long if len(long) <= self.size.width else short

    def starting(self, config, error: str = "", advice: str | None = None) -> None:
        self._shown = (config, error, advice)
        line = Text.assemble(
            *_run("starting", "bold", config), *(f" · {long}" for long, _ in self.notes if long)
        )
        self._lines(line, advice or "loading PyTorch and drawing the data…", error)

    def on_resize(self) -> None:
        if self._shown:
            shown, error, advice = self._shown
            (self.starting if isinstance(shown, Config) else self.show)(shown, error, advice)

    def _lines(self, line: Text, advice: str, error: str) -> None:
        """The second line is the advice, or the error in its place."""
        style = "bold red" if error else "dim"
        advice_line = Text(error or advice, style=style)
        self.repaint(Text("\n").join([line, advice_line]))


def _run(
    state: str, style: str, config, names: tuple[str, ...] = (), with_scenario: bool = True
) -> tuple:
    """The head of the first line: the state, then the preset and the method (and whether it
    is told the task: the scenario is the first thing a reader of a CL paper asks, left out
    only where nothing else fits), or the methods compared side by side."""
    names = names or (config.method.name,)
    if len(names) > 1 or names[0] not in methods.names():
        scenario = with_scenario and problem.scenario(config, "naive")  # methods vary by name
        return (
            ("● " + state, style),
            " · ",
            (config.name, "bold"),
            (f" ({scenario})" if scenario else "", "dim"),
            " · ",
            ", ".join(names),
        )
    scenario = with_scenario and problem.scenario(config, names[0])
    return (
        ("● " + state, style),
        " · ",
        (config.name, "bold"),
        " · ",
        (names[0], "bold"),
        (f" ({scenario})" if scenario else "", "dim"),
    )
