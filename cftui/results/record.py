"""Recording a run as it trains, for `cftui replay` and `cftui figure` (cftui.results.recording
holds the format and reads it back).

Each published snapshot becomes one line holding only what changed since the line before
it, with the wall-clock offset of the frame for replay timing; a new run, a reset or a new
view (one method or several side by side) begins a scene with a header line. The file is
written as the run goes, a line at a time and flushed (not atomically, by design): a killed
run leaves a valid prefix, which read() replays, saying where it stopped. A name ending in
.gz is gzip-compressed, flushed at each line too. Imports no torch.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
from rich.filesize import decimal

from cftui import __version__
from cftui.results.atomic import WriteError
from cftui.results.recording import FORMAT, open_text
from cftui.results.recording_codecs import FitScale, floats, held
from cftui.train import methods, problem
from cftui.train.snapshot import Comparison, Snapshot

Published = Snapshot | Comparison
VERSIONS = {"regions": 3, "digits": 4}  # the format version a scene's picture needs (a fit's:
# 1, or 2 side by side)
FRAMES_PER_TASK = 50  # a run trained at full pace keeps this many frames a task, each FRAME_S
FRAME_S = 0.2  # apart on its clock: the app's 5 a second over a task of 10 s (its default pace)


def frame_epochs(epochs: int) -> int:
    """Epochs between two frames of a run of ``epochs`` a task trained at full pace."""
    return max(1, epochs // FRAMES_PER_TASK)


def frame_clock() -> Callable[[], float]:
    """A Recorder's clock for a run trained at full pace: each frame FRAME_S after the one
    before, so it replays as the app would have shown it at its pace, however fast it ran."""
    frames = itertools.count()
    return lambda: next(frames) * FRAME_S


class _Changes:
    """The fields of ``now`` that differ from the last call's."""

    def __init__(self) -> None:
        self._last: dict[str, Any] = {}

    def __call__(self, now: dict[str, Any]) -> dict[str, Any]:
        changed = {key: value for key, value in now.items() if self._last.get(key, ...) != value}
        self._last = now
        return changed


class _Track:
    """One run's part of each line: its counters, and what is new since its last part."""

    def __init__(self, scale: Any) -> None:
        self.scale = scale  # the picture's codec: FitScale, or a plane's ClassRuns
        counted = ("losses", "ghosts", "boundaries", "matrix", "accuracy_matrix")
        self.written = dict.fromkeys(counted, 0)
        self.fit: list | None = None
        self.confusion = None  # the last written (a classification's, where it changed)
        self.changes = _Changes()

    def part(self, snap: Snapshot) -> dict[str, Any]:
        line: dict[str, Any] = {"step": snap.step, "task": snap.task, "epoch": snap.epoch}
        now = {"state": str(snap.state), "pace": snap.pace, "auto_advance": snap.auto_advance}
        line |= self.changes(now | {"message": snap.message})
        done = self.written["losses"]
        new = {
            "losses": [
                [int(step), *floats(row)]
                for step, row in zip(snap.steps[done:], snap.test_losses[done:], strict=True)
            ],
            "ghosts": [self.scale.encode(g) for g in snap.ghosts[self.written["ghosts"] :]],
            "boundaries": list(snap.boundaries[self.written["boundaries"] :]),
            "matrix": [floats(row) for row in snap.loss_matrix[self.written["matrix"] :]],
        }
        if snap.loss_band is not None and new["losses"]:
            low, high = (edge[done:] for edge in snap.loss_band)
            line["band"] = [floats([*lo, *hi]) for lo, hi in zip(low, high, strict=True)]
        if snap.test_accuracy is not None:  # a classification: its accuracy beside its loss
            if new["losses"]:
                line["accuracy"] = [floats(row) for row in snap.test_accuracy[done:]]
            rows = snap.accuracy_matrix[self.written["accuracy_matrix"] :]
            new["accuracy_matrix"] = [floats(row) for row in rows]
        for key, items in new.items():
            if items:
                line[key] = items
                self.written[key] += len(items)
        fit = self.scale.encode(snap.fit)
        if fit != self.fit:
            line["fit"] = self.fit = fit
        if snap.confusion is not None and snap.confusion != self.confusion:
            self.confusion = snap.confusion
            counts = snap.confusion.counts.tolist()
            line["confusion"] = {"counts": counts, "logits": floats(snap.confusion.logits)}
        return line


class Recorder:
    """``recorder(snapshot)`` appends the snapshot (or a Comparison of several) to the file;
    ``recorder.around(publish)`` records, then publishes. Thread-safe; snapshots after
    close() are ignored. ``clock``: seconds since the recording began (default: the wall
    clock), what a replay and an animation time their frames by."""

    def __init__(self, path: Path | str, clock: Callable[[], float] | None = None) -> None:
        self.path = Path(path).expanduser()
        try:
            self._file: IO[str] | None = open_text(self.path, "w")
        except OSError as err:
            raise WriteError(self.path, err.strerror or str(err)) from None
        self._lock = threading.Lock()
        started = time.monotonic()
        self._clock = clock or (lambda: time.monotonic() - started)
        self._scenes: tuple = ()
        self._count = -1  # scenes begun

    def around(self, publish: Callable[[Published], None]) -> Callable[[Published], None]:
        def record_then_publish(snapshot: Published) -> None:
            self(snapshot)
            publish(snapshot)

        return record_then_publish

    def __call__(self, snap: Published) -> None:
        with self._lock:
            if self._file is None:
                return
            runs = snap.runs if isinstance(snap, Comparison) else (snap,)
            scenes = tuple(run.scene for run in runs)
            if len(scenes) != len(self._scenes) or any(
                new is not old for new, old in zip(scenes, self._scenes, strict=False)
            ):
                self._begin_scene(snap, runs)
            line: dict[str, Any] = {"t": round(self._clock(), 3)}
            parts = [track.part(run) for track, run in zip(self._tracks, runs, strict=True)]
            if isinstance(snap, Comparison):
                now = {"state": str(snap.state), "pace": snap.pace}
                line |= self._changes(now | {"auto_advance": snap.auto_advance})
                line["runs"] = parts
            else:
                line |= parts[0]
            self._write(line)

    def _begin_scene(self, snap: Published, runs: tuple[Snapshot, ...]) -> None:
        """A header: a new run, a reset or a new view. Its run number counts the scenes, so
        a replay sees a new one even where a new runner counts from 0 again."""
        scene = runs[0].scene
        self._scenes, self._count = tuple(run.scene for run in runs), self._count + 1
        picture, how = problem.of(scene.config).picture, held(scene)
        scale = how.codec(scene)
        self._tracks, self._changes = [_Track(scale) for _ in runs], _Changes()
        side_by_side = isinstance(snap, Comparison)
        version = VERSIONS.get(picture, 2 if side_by_side else 1)
        header = dict(format=FORMAT, version=version, cftui=__version__, run=self._count)
        configs = [run.scene.config.to_dict() for run in runs]
        header |= dict(configs=configs) if side_by_side else dict(config=configs[0])
        header |= dict(device=scene.device, grid=np.asarray(scene.grid, how.grid_type).tolist())
        if isinstance(scale, FitScale):
            header |= dict(fit_scale=dataclasses.asdict(scale))
        if files := methods.recorded_files(run.scene.config.method.name for run in runs):
            header["method_files"] = files  # a method of the user's: its file and sha256
        self._write(header | dict(tasks=how.tasks(scene)))

    def _write(self, line: dict[str, Any]) -> None:
        try:
            self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
            self._file.flush()
        except OSError as err:
            raise WriteError(self.path, err.strerror or str(err)) from None

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def recorded(path: Path) -> str:
    """What is said once a recording is closed (the app quits, a headless run ends): the
    file, its size, and how to play it."""
    try:
        size = decimal(path.stat().st_size)
    except OSError as err:
        return f"recording {path}: {err.strerror}"
    return f"recorded {path.resolve()} ({size}): cftui replay {path}"
