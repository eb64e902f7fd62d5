"""A recording's format, and reading one back: replay and figures without torch.

A recording is JSON lines (cftui.results.record writes them). A header line begins each scene (a
run, each reset after it, each new view): the format's name and version, the cftui version,
the resolved config (one per method side by side), the tasks' points and truth curves, and
the drawing grid. Each later line is one published frame holding only what changed since
the line before it; side by side, a line holds such a part per method under "runs". Losses
(and, over several seeds, their range) are kept exactly; the fit and the ghosts are rounded
to 1/FIT_LEVELS of the data's span, finer than any terminal or figure draws them.

A file cut short (a killed run) or with a corrupt line gives the frames before it, and says
where it stopped. Version 1 holds one method's runs; version 2 adds side-by-side scenes.
Imports no torch.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import math
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from cftui.train import methods
from cftui.train.config import ConfigError, from_dict
from cftui.train.snapshot import Comparison, History, Scene, Snapshot, State
from cftui.train.tasks import Task

FORMAT, VERSION = "cftui-record", 2  # VERSION: the newest this cftui reads
FIT_LEVELS = 2000  # steps of fit rounding across the data's span; a 100-row plot has 400
FIELDS = ("state", "pace", "auto_advance", "message")  # written only when they change
GZIP_MAGIC = b"\x1f\x8b"
MAX_GAP_S = 2.0  # a longer wait between two recorded frames (a pause) plays as this


def open_text(path: Path, mode: str) -> IO[str]:
    if mode == "w" and path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    if mode == "r" and path.open("rb").read(2) == GZIP_MAGIC:
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


def floats(values: Any) -> list:
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

    def rounded(self, values: np.ndarray) -> np.ndarray:
        """``values`` as a recording holds them (the same numbers, read back or not)."""
        return self.decode(self.encode(values))


def task_to_dict(task: Task) -> dict[str, Any]:
    out = {}
    for field in dataclasses.fields(Task):
        value = getattr(task, field.name)
        out[field.name] = value if isinstance(value, str) else floats(value)
    return out


def _task_from_dict(raw: dict[str, Any]) -> Task:
    names = [f.name for f in dataclasses.fields(Task) if f.name not in ("name", "x_range")]
    arrays = {name: np.asarray(raw[name], dtype=float) for name in names}
    return Task(str(raw["name"]), tuple(raw["x_range"]), **arrays)


@dataclass(frozen=True)
class Frame:
    t: float  # seconds since the recording began
    snapshot: Snapshot | Comparison  # a Comparison for a side-by-side scene


@dataclass(frozen=True)
class Recording:
    path: Path
    frames: list[Frame]
    stopped: str  # "" when the file was read to its end; else where and why reading stopped


def timeline(frames: Sequence[Frame]) -> np.ndarray:
    """Each frame's time in a replay: the recorded offsets, long waits cut to MAX_GAP_S."""
    gaps = np.diff([frame.t for frame in frames], prepend=frames[0].t)
    return np.cumsum(np.clip(gaps, 0.0, MAX_GAP_S))


class _Run:
    """One run of a scene being read back: what every later frame of it builds on."""

    def __init__(self, scene: Scene, run: int, scale: FitScale) -> None:
        self.scene, self.run, self.scale = scene, run, scale
        n_tasks = len(scene.tasks)
        self.history, self.band = History(1, n_tasks), History(2, n_tasks)
        self.ghosts: list[np.ndarray] = []
        self.boundaries: list[int] = []
        self.matrix: list[tuple[float, ...]] = []
        self.fit = np.full(len(scene.grid), np.nan)
        self.fields: dict[str, Any] = {}

    def snapshot(self, line: dict[str, Any]) -> Snapshot:
        n_tasks = len(self.scene.tasks)
        for step, *losses in line.get("losses", []):
            self.history.append(int(step), np.asarray(losses, dtype=float)[None])
        for row in line.get("band", []):
            self.band.append(0, np.asarray(row, dtype=float).reshape(2, n_tasks))
        self.ghosts += [self.scale.decode(q) for q in line.get("ghosts", [])]
        self.boundaries += [int(b) for b in line.get("boundaries", [])]
        rows = line.get("matrix", [])
        self.matrix += [tuple(np.asarray(row, dtype=float).tolist()) for row in rows]
        if "fit" in line:
            self.fit = self.scale.decode(line["fit"])
        self.fields |= {key: line[key] for key in FIELDS if key in line}
        steps, losses = self.history.views()
        edges = self.band.views()[1]
        band = (edges[:, 0], edges[:, 1]) if len(edges) else None
        return Snapshot(
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
            loss_band=band,
        )


class _Scene:
    """A scene's header read; frame(line) builds the next frame on what came before."""

    def __init__(self, header: dict[str, Any], source: str) -> None:
        tasks = tuple(_task_from_dict(raw) for raw in header["tasks"])
        grid = np.asarray(header["grid"], dtype=float)
        scale, run = FitScale(**header["fit_scale"]), int(header["run"])
        self.side_by_side = "configs" in header
        configs = header["configs"] if self.side_by_side else [header["config"]]
        methods.replayed_files(header.get("method_files", {}), configs)
        self.runs = [
            _Run(Scene(from_dict(raw, source), tasks, grid, str(header["device"])), run, scale)
            for raw in configs
        ]
        self.run, self.fields = run, {}

    def frame(self, line: dict[str, Any]) -> Frame:
        if not self.side_by_side:
            return Frame(float(line["t"]), self.runs[0].snapshot(line))
        parts = line["runs"]
        if len(parts) != len(self.runs):
            raise ValueError(f"{len(parts)} runs in a frame of a scene of {len(self.runs)}")
        self.fields |= {key: line[key] for key in FIELDS[:3] if key in line}
        comparison = Comparison(
            runs=tuple(run.snapshot(part) for run, part in zip(self.runs, parts, strict=True)),
            run=self.run,
            state=State(self.fields["state"]),
            pace=self.fields["pace"],
            auto_advance=bool(self.fields["auto_advance"]),
        )
        return Frame(float(line["t"]), comparison)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text); a compressed file cut short ends in EOFError or zlib.error."""
    with open_text(path, "r") as file:
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
    """Every frame of a recording as Snapshots (Comparisons side by side). ConfigError (one
    line naming the file and the key) for a file that is missing, of another format or of a
    newer version; a file cut short or with a corrupt line gives the frames before it, and
    says where it stopped."""
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
