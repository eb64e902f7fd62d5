"""A recording's format, and reading one back: replay and figures without torch.

A recording is JSON lines (cftui.results.record writes them). A header line begins each scene (a
run, each reset after it, each new view): the format's name and version, the cftui version,
the resolved config (one per method side by side), the tasks' points and truth curves, and
the drawing grid. Each later line is one published frame holding only what changed since
the line before it; side by side, a line holds such a part per method under "runs". Losses
(and, over several seeds, their range) are kept exactly; the fit and the ghosts are rounded
to 1/FIT_LEVELS of the data's span, finer than any terminal or figure draws them.

Every line is checked in full (recording_schema) before anything is built on it: a line that
is JSON but not what a recording holds (an edit) refuses the file in one line naming the line
and the key. A file cut short (a killed run), or damaged by a line that is not JSON (a
crash), gives the frames before it and says where it stopped. Version 1 holds one method's
runs; version 2 adds side-by-side scenes; version 3 a 2-D classification's scene (one method
or side by side): its tasks' points and classes, the class predicted in every cell of the
plane run-length coded (recording_plane), and the accuracy beside the loss; since issue 32
also the last test's confusion matrix and each class's mean logit where they changed (a
version 3 recording without them still reads: its panel says it holds none); version 4 a
digits run's scene (issue 35): the test images its picture shows, not the data set, and the
class answered to each (recording_headers). A replay needs neither torch nor scikit-learn.
Imports no torch.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from cftui.results import recording_headers as headers
from cftui.results import recording_schema as schema
from cftui.results.recording_codecs import HELD, FitScale
from cftui.train import methods, problem
from cftui.train.config import Config, ConfigError, from_dict
from cftui.train.confusion import Confusion
from cftui.train.snapshot import Comparison, History, Scene, Snapshot, State

FORMAT, VERSION = "cftui-record", 4  # VERSION: the newest this cftui reads
FIELDS = ("state", "pace", "auto_advance", "message")  # written only when they change
GZIP_MAGIC = b"\x1f\x8b"
MAX_GAP_S = 2.0  # a longer wait between two recorded frames (a pause) plays as this


def open_text(path: Path, mode: str) -> IO[str]:
    if mode == "w" and path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    if mode == "r":
        with path.open("rb") as file:
            if file.read(2) == GZIP_MAGIC:
                return gzip.open(path, "rt", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


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

    def __init__(self, scene: Scene, run: int, scale: Any) -> None:
        self.scene, self.run, self.scale = scene, run, scale  # scale: the picture's codec
        n_tasks = len(scene.tasks)
        self.history, self.band = History(1, n_tasks), History(2, n_tasks)
        scored = problem.of(scene.config).score  # a classification's accuracy
        self.accuracy = History(1, n_tasks) if scored else None
        self.ghosts: list[np.ndarray] = []
        self.boundaries: list[int] = []
        self.matrix: list[tuple[float, ...]] = []
        self.accuracy_matrix: list[tuple[float, ...]] = []
        self.fit = np.full(len(scene.grid), np.nan)
        self.confusion: Confusion | None = None  # none in a recording made before issue 32
        self.fields: dict[str, Any] = {}

    def snapshot(self, line: dict[str, Any]) -> Snapshot:
        n_tasks = len(self.scene.tasks)
        for step, *losses in line.get("losses", []):
            self.history.append(int(step), np.asarray(losses, dtype=float)[None])
        for row in line.get("band", []):
            self.band.append(0, np.asarray(row, dtype=float).reshape(2, n_tasks))
        self.ghosts += [self.scale.decode(q) for q in line.get("ghosts", [])]
        self.boundaries += [int(b) for b in line.get("boundaries", [])]
        self.matrix += _rows(line.get("matrix", []))
        self.accuracy_matrix += _rows(line.get("accuracy_matrix", []))
        if self.accuracy is not None:  # a classification's, a row beside each row of losses
            rows = zip(line.get("losses", []), line.get("accuracy", []), strict=True)
            for (step, *_), row in rows:
                self.accuracy.append(int(step), np.asarray(row, dtype=float)[None])
        if "fit" in line:
            self.fit = self.scale.decode(line["fit"])
        if "confusion" in line:
            raw = line["confusion"]
            counts = np.asarray(raw["counts"], dtype=np.int64)
            self.confusion = Confusion(counts, np.asarray(raw["logits"], dtype=float))
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
            test_accuracy=None if self.accuracy is None else self.accuracy.views()[1][:, 0],
            accuracy_matrix=tuple(self.accuracy_matrix),
            confusion=self.confusion,
        )


def _rows(rows: list) -> list[tuple[float, ...]]:
    return [tuple(np.asarray(row, dtype=float).tolist()) for row in rows]


class _Scene:
    """A scene's header read; frame(line) builds the next frame on what came before. Each
    line is checked in full (recording_schema) before anything is built from it."""

    def __init__(self, header: dict[str, Any], source: str, version: int) -> None:
        self.shape = headers.check_header(header, version)
        self.side_by_side = "configs" in header
        raws = header["configs"] if self.side_by_side else [header["config"]]
        methods.replayed_files(header.get("method_files", {}), raws)  # by name: no code runs
        keys = [f"configs[{i}]" for i in range(len(raws))] if self.side_by_side else ["config"]
        configs = [
            _config(raw, key, self.shape, source) for raw, key in zip(raws, keys, strict=True)
        ]
        held = HELD[self.shape.picture]
        grid = np.asarray(header["grid"], dtype=held.grid_type)
        tasks = tuple(held.task_from_dict(raw) for raw in header["tasks"])
        scenes = [Scene(config, tasks, grid, str(header["device"])) for config in configs]
        fit_scale = header.get("fit_scale")  # a regression's
        scale = FitScale(**fit_scale) if fit_scale else held.codec(scenes[0])
        run = int(header["run"])
        self.runs = [_Run(scene, run, scale) for scene in scenes]
        self.seen = [schema.Seen(set()) for _ in self.runs]
        self.run, self.fields, self.fields_seen = run, {}, set()

    def frame(self, line: Any) -> Frame:
        schema.check_frame(line, self.shape, self.seen, self.fields_seen)
        if not self.side_by_side:
            return Frame(float(line["t"]), self.runs[0].snapshot(line))
        self.fields |= {key: line[key] for key in FIELDS[:3] if key in line}
        comparison = Comparison(
            runs=tuple(
                run.snapshot(part) for run, part in zip(self.runs, line["runs"], strict=True)
            ),
            run=self.run,
            state=State(self.fields["state"]),
            pace=self.fields["pace"],
            auto_advance=bool(self.fields["auto_advance"]),
        )
        return Frame(float(line["t"]), comparison)


def _config(raw: dict, key: str, shape: headers.Shape, source: str) -> Config:
    """A header's config, checked as a preset is (its first problem: one line), that draws
    as a recording of this version does (a 1-D regression's fit, from version 3 a 2-D
    classification's regions, from version 4 a digits run's answers) with the header's
    tasks. Read to draw, not to train: it needs no extra of training (scikit-learn)."""
    try:
        config = from_dict(raw, source, to_train=False)
    except ConfigError as err:
        where, message = err.problems[0]
        raise schema.Bad(f"{key} {where}".strip(), message) from None
    held = headers.KINDS[shape.picture]
    if (poses := headers.KINDS[problem.of(config).picture]) != held:
        raise schema.Bad(key, f"{poses}, where the header holds {held}'s tasks")
    if config.data.n_tasks != shape.n_tasks:
        raise schema.Bad("tasks", f"holds {shape.n_tasks}, the config {config.data.n_tasks}")
    if shape.n_classes > config.data.n_classes:
        raise schema.Bad(
            "tasks", f"hold class {shape.n_classes}, the config {config.data.n_classes}"
        )
    return config


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text); a compressed file cut short ends in EOFError or zlib.error."""
    with open_text(path, "r") as file:
        yield from enumerate(file, start=1)


def _version(line: Any, source: str, where: str) -> int:
    """The header's version, or ConfigError: another format, or a newer cftui's."""
    if not isinstance(line, dict) or line.get("format") != FORMAT:
        raise ConfigError(source, where + "format", f"not a cftui recording (expected {FORMAT!r})")
    version = line.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(source, where + "version", f"{version!r} is not a version number")
    if version > VERSION:
        raise ConfigError(
            source,
            where + "version",
            f"{version} is newer than this cftui reads ({VERSION}): upgrade",
        )
    return version


def read(path: Path | str) -> Recording:
    """Every frame of a recording as Snapshots (Comparisons side by side), every line checked
    before it is built on. ConfigError (one line naming the file, the line and the key) for a
    file that is missing, of another format or of a newer version, or with a line that is
    JSON but not what a recording holds (an edit). A file cut short, or damaged past a line
    that is not JSON (a killed run, a crash), gives the frames before it and says where it
    stopped."""
    path = Path(path).expanduser()
    source, frames, scene, stopped, number = str(path), [], None, "", 0
    if path.exists() and not path.is_file():  # /dev/zero, a pipe: lines that never end
        raise ConfigError(source, "", "not a file (a recording is a file cftui wrote)")
    try:
        for number, text in _lines(path):
            try:
                line = json.loads(text)
            except RecursionError:
                raise ConfigError(
                    source, f"line {number}", "nested deeper than any recording"
                ) from None
            except ValueError:
                if number == 1:
                    raise ConfigError(source, "format", "not a cftui recording") from None
                stopped = f"line {number}: " + ("cut short" if text[-1:] != "\n" else "not JSON")
                break
            where = "" if number == 1 else f"line {number}: "
            try:
                if number == 1 or (isinstance(line, dict) and "format" in line):
                    scene = _Scene(line, source, _version(line, source, where))
                else:
                    frames.append(scene.frame(line))
            except schema.Bad as bad:
                key = f"line {number}" + (f": {bad.key}" if bad.key else "")
                raise ConfigError(source, key, bad.message) from None
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
