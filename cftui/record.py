"""Recording a run as it trains, and reading it back: replay without torch.

A recording is JSON lines. A header line begins each scene (a run, and each reset after it):
the format's name and version, the cftui version, the resolved config, the tasks' points and
truth curves, and the drawing grid. Each later line is one published snapshot holding only
what changed since the line before it: new (step, losses) rows, the fit when it moved, new
ghosts, task boundaries and loss-matrix rows, and state, pace, auto-advance and message when
they changed, with the wall-clock offset of the frame for replay timing. Losses are kept
exactly; the fit and the ghosts are rounded to 1/FIT_LEVELS of the data's span, finer than
any terminal draws them.

The file is written as the run goes, a line at a time and flushed (not atomically, by
design): a killed run leaves a valid prefix, which read() replays, saying where it stopped.
A name ending in .gz is gzip-compressed, flushed at each line too. Imports no torch.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import math
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from cftui import __version__, results
from cftui.config import ConfigError, from_dict
from cftui.snapshot import History, Scene, Snapshot, State
from cftui.tasks import Task

FORMAT, VERSION = "cftui-record", 1
FIT_LEVELS = 2000  # steps of fit rounding across the data's span; a 100-row plot has 400
FIELDS = ("state", "pace", "auto_advance", "message")  # written only when they change
GZIP_MAGIC = b"\x1f\x8b"


def _open(path: Path, mode: str) -> IO[str]:
    if mode == "w" and path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    if mode == "r" and path.open("rb").read(2) == GZIP_MAGIC:
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


def _floats(values: Any) -> list:
    """Numbers for JSON: exact floats, with nan and inf as the strings "nan", "inf"."""
    return [v if math.isfinite(v) else str(v) for v in np.asarray(values, float).tolist()]


@dataclass(frozen=True)
class FitScale:
    """The fit and the ghosts as integers: value = origin + q * step."""

    origin: float
    step: float

    @classmethod
    def of(cls, tasks: Any) -> FitScale:
        ys = np.concatenate([np.concatenate([t.y_train, t.curve_y]) for t in tasks])
        lo, hi = float(ys.min()), float(ys.max())
        return cls((lo + hi) / 2, (hi - lo or 1.0) / FIT_LEVELS)

    def encode(self, values: np.ndarray) -> list:
        q = np.round((np.asarray(values, float) - self.origin) / self.step)
        return [int(v) if math.isfinite(v) else str(v) for v in q.tolist()]

    def decode(self, q: list) -> np.ndarray:
        return self.origin + np.asarray(q, dtype=float) * self.step


class Recorder:
    """``recorder(snapshot)`` appends the snapshot to the file; ``recorder.around(publish)``
    records, then publishes. Thread-safe; snapshots after close() are ignored."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        try:
            self._file: IO[str] | None = _open(self.path, "w")
        except OSError as err:
            raise results.WriteError(self.path, err.strerror or str(err)) from None
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._run: int | None = None

    def around(self, publish: Callable[[Snapshot], None]) -> Callable[[Snapshot], None]:
        def record_then_publish(snapshot: Snapshot) -> None:
            self(snapshot)
            publish(snapshot)

        return record_then_publish

    def __call__(self, snap: Snapshot) -> None:
        with self._lock:
            if self._file is None:
                return
            if snap.run != self._run:
                self._begin_scene(snap)
            self._write(self._frame(snap))

    def _begin_scene(self, snap: Snapshot) -> None:
        scene = snap.scene
        self._run, self._scale = snap.run, FitScale.of(scene.tasks)
        self._written = dict.fromkeys(("losses", "ghosts", "boundaries", "matrix"), 0)
        self._fit: list | None = None
        self._fields: dict[str, Any] = {}
        header = dict(format=FORMAT, version=VERSION, cftui=__version__, run=snap.run)
        header |= dict(config=scene.config.to_dict(), device=scene.device, grid=_floats(scene.grid))
        header |= dict(fit_scale=dataclasses.asdict(self._scale))
        self._write(header | dict(tasks=[_task_to_dict(task) for task in scene.tasks]))

    def _frame(self, snap: Snapshot) -> dict[str, Any]:
        """The snapshot as what changed since the last line."""
        line: dict[str, Any] = {
            "t": round(time.monotonic() - self._started, 3),
            "step": snap.step,
            "task": snap.task,
            "epoch": snap.epoch,
        }
        now = {"state": str(snap.state), "pace": snap.pace, "auto_advance": snap.auto_advance}
        now["message"] = snap.message
        line |= {key: value for key, value in now.items() if self._fields.get(key, ...) != value}
        self._fields = now
        new = {
            "losses": [
                [int(step), *_floats(row)]
                for step, row in zip(snap.steps, snap.test_losses, strict=True)
            ][self._written["losses"] :],
            "ghosts": [self._scale.encode(g) for g in snap.ghosts[self._written["ghosts"] :]],
            "boundaries": list(snap.boundaries[self._written["boundaries"] :]),
            "matrix": [_floats(row) for row in snap.loss_matrix[self._written["matrix"] :]],
        }
        for key, items in new.items():
            if items:
                line[key] = items
                self._written[key] += len(items)
        fit = self._scale.encode(snap.fit)
        if fit != self._fit:
            line["fit"] = self._fit = fit
        return line

    def _write(self, line: dict[str, Any]) -> None:
        try:
            self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
            self._file.flush()
        except OSError as err:
            raise results.WriteError(self.path, err.strerror or str(err)) from None

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _task_to_dict(task: Task) -> dict[str, Any]:
    out = {}
    for field in dataclasses.fields(Task):
        value = getattr(task, field.name)
        out[field.name] = value if isinstance(value, str) else _floats(value)
    return out


def _task_from_dict(raw: dict[str, Any]) -> Task:
    names = [f.name for f in dataclasses.fields(Task) if f.name not in ("name", "x_range")]
    arrays = {name: np.asarray(raw[name], dtype=float) for name in names}
    return Task(str(raw["name"]), tuple(raw["x_range"]), **arrays)


@dataclass(frozen=True)
class Frame:
    t: float  # seconds since the recording began
    snapshot: Snapshot


@dataclass(frozen=True)
class Recording:
    path: Path
    frames: list[Frame]
    stopped: str  # "" when the file was read to its end; else where and why reading stopped


class _Scene:
    """One scene being read back: what every later frame of it builds on."""

    def __init__(self, header: dict[str, Any], source: str) -> None:
        tasks = tuple(_task_from_dict(raw) for raw in header["tasks"])
        config = from_dict(header["config"], source)
        grid = np.asarray(header["grid"], dtype=float)
        self.scene = Scene(config, tasks, grid, str(header["device"]))
        self.run, self.scale = int(header["run"]), FitScale(**header["fit_scale"])
        self.history = History(1, len(tasks))
        self.ghosts: list[np.ndarray] = []
        self.boundaries: list[int] = []
        self.matrix: list[tuple[float, ...]] = []
        self.fit = np.full(len(grid), np.nan)
        self.fields: dict[str, Any] = {}

    def frame(self, line: dict[str, Any]) -> Frame:
        for step, *losses in line.get("losses", []):
            self.history.append(int(step), np.asarray(losses, dtype=float)[None])
        self.ghosts += [self.scale.decode(q) for q in line.get("ghosts", [])]
        self.boundaries += [int(b) for b in line.get("boundaries", [])]
        rows = line.get("matrix", [])
        self.matrix += [tuple(np.asarray(row, dtype=float).tolist()) for row in rows]
        if "fit" in line:
            self.fit = self.scale.decode(line["fit"])
        self.fields |= {key: line[key] for key in FIELDS if key in line}
        steps, losses = self.history.views()
        snapshot = Snapshot(
            scene=self.scene,
            run=self.run,
            step=int(line["step"]),
            task=int(line["task"]),
            epoch=int(line["epoch"]),
            state=State(self.fields["state"]),
            steps=steps,
            test_losses=losses[:, 0],
            fit=self.fit,
            ghosts=tuple(self.ghosts),
            boundaries=tuple(self.boundaries),
            loss_matrix=tuple(self.matrix),
            pace=self.fields["pace"],
            auto_advance=bool(self.fields["auto_advance"]),
            message=str(self.fields["message"]),
        )
        return Frame(float(line["t"]), snapshot)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text); a compressed file cut short ends in EOFError or zlib.error."""
    with _open(path, "r") as file:
        yield from enumerate(file, start=1)


def _check_header(line: Any, source: str) -> None:
    if not isinstance(line, dict) or line.get("format") != FORMAT:
        raise ConfigError(source, "format", f"not a cftui recording (expected {FORMAT!r})")
    version = line.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(source, "version", f"{version!r} is not a version number")
    if version > VERSION:
        raise ConfigError(
            source, "version", f"{version} is newer than this cftui reads ({VERSION}): upgrade"
        )


def read(path: Path | str) -> Recording:
    """Every frame of a recording as Snapshots. ConfigError (one line naming the file and the
    key) for a file that is missing, of another format or of a newer version; a file cut
    short or with a corrupt line gives the frames before it, and says where it stopped."""
    path = Path(path).expanduser()
    source, frames, scene, stopped, number = str(path), [], None, "", 0
    try:
        for number, text in _lines(path):
            try:
                line = json.loads(text)
                if number == 1 or "format" in line:
                    _check_header(line, source)
                    scene = _Scene(line, source)
                else:
                    frames.append(scene.frame(line))
            except ConfigError:
                if number == 1:
                    raise
                stopped = f"line {number}: a scene header this cftui cannot read"
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                if number == 1:
                    raise ConfigError(source, "format", "not a cftui recording") from None
                stopped = f"line {number}: " + ("cut short" if text[-1:] != "\n" else str(err))
            if stopped:
                break
    except FileNotFoundError:
        raise ConfigError(source, "", "no such file") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        stopped = f"after line {number}: compressed data cut short ({err})"
    except UnicodeDecodeError:
        if number == 0:
            raise ConfigError(source, "format", "not a cftui recording (not text)") from None
        stopped = f"line {number + 1}: not text"
    except OSError as err:
        raise ConfigError(source, "", f"cannot read: {err.strerror or err}") from None
    if not frames:
        raise ConfigError(source, "", f"no frame to replay ({stopped or 'empty'})")
    return Recording(path, frames, stopped)
