"""What each line of a recording may hold, checked in full before any of it is built or drawn.

A recording can be edited by hand or damaged, and what passes here is drawn by matplotlib,
replayed by the app and stacked into numpy arrays: a number that overflows (``1e999``), a
row too short, a fit shorter than its grid or nesting deeper than any line needs would
otherwise surface as an OverflowError, a ValueError or a RecursionError far from the file.
Every check raises Bad, naming the key (``losses[3][1]``) and what is wrong, which the reader
turns into one line naming the file and the line. This is the one place the format's
schema lives: a new version adds its keys to HEADER_KEYS and its checks beside these.
Imports no torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LARGEST_INT = 2**53  # counters (steps, epochs, runs): exact in a float
LARGEST = 3.4028234663852886e38  # float32's largest: a run trains in float32, so no finite
# number it measures is larger (and matplotlib's transforms overflow far beyond it)
MAX_METHODS = 32  # side by side: more configs in one header than any view draws
NON_FINITE = ("nan", "inf")  # how a recording writes a diverged run's numbers
STATES = ("running", "paused", "task done", "finished", "diverged")  # snapshot.State's values
HEADER = {"format", "version", "cftui", "run", "device", "grid", "fit_scale", "tasks"}
# Keys a scene header holds in each version this cftui reads: (required, exactly one of).
HEADER_KEYS = {1: (HEADER, {"config"}), 2: (HEADER, {"config", "configs"})}
OPTIONAL_HEADER = {"method_files"}  # a user's method files the run used: {name: {path, sha256}}
TASK_PAIRS = (("x_train", "y_train"), ("x_test", "y_test"), ("curve_x", "curve_y"))
FIELD_KEYS = {"state", "pace", "auto_advance", "message"}  # recording.FIELDS
PART_KEYS = {"step", "task", "epoch", "losses", "band", "ghosts", "boundaries", "matrix", "fit"}


class Bad(Exception):
    """What is wrong with one value of a line: ``key`` names where, ``message`` what."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key, self.message = key, message


@dataclass(frozen=True)
class Shape:
    """What a scene's header fixes for every frame of it."""

    n_tasks: int
    n_grid: int
    n_runs: int  # side by side: the parts a frame holds; 0 for one method's scene
    origin: float  # fit_scale: a fit's level q is the value origin + q * step
    step: float


@dataclass
class Seen:
    """What one run of a scene has held so far: its frames add to these."""

    fields: set[str]
    losses: int = 0
    band: int = 0
    ghosts: int = 0
    boundaries: int = 0
    matrix: int = 0


def _where(key: str, index: int | str) -> str:
    return f"{key}[{index}]" if isinstance(index, int) else f"{key}.{index}" if key else index


def obj(value: Any, key: str) -> dict:
    if not isinstance(value, dict):
        raise Bad(key, f"expected an object, got {_kind(value)}")
    return value


def keys(line: dict, required: set[str], optional: set[str], key: str = "") -> None:
    if missing := sorted(required - line.keys()):
        raise Bad(_where(key, missing[0]), "missing")
    if unknown := sorted(line.keys() - required - optional):
        raise Bad(_where(key, unknown[0]), "not a key of a recording")


def whole(value: Any, key: str, low: int = 0, high: int = LARGEST_INT) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Bad(key, f"expected a whole number, got {_kind(value)}")
    if not low <= value <= high:
        raise Bad(key, f"must be within {low}..{high}, got {_short(value)}")
    return value


def text(value: Any, key: str) -> None:
    if not isinstance(value, str):
        raise Bad(key, f"expected text, got {_kind(value)}")


def number(value: Any, key: str, positive: bool = False) -> float:
    """A finite number within float32's range (JSON's 1e999 reads as inf, NaN as nan)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise Bad(key, f"expected a number, got {_kind(value)}")
    if not -LARGEST <= value <= LARGEST or (positive and value <= 0):
        low = "0 <" if positive else f"{-LARGEST:.3g} <="
        raise Bad(key, f"must be a number {low} x <= {LARGEST:.3g}, got {_short(value)}")
    return float(value)


def loss(value: Any, key: str) -> None:
    """A loss: a number >= 0, or nan or inf (a diverged run), as text or as JSON's NaN."""
    if value in NON_FINITE or (isinstance(value, float) and (value != value or value == math.inf)):
        return
    if number(value, key) < 0:
        raise Bad(key, f"a loss is >= 0, got {_short(value)}")


def _levels(shape: Shape) -> Callable[[Any, str], None]:
    """A fit (or a ghost): a value per grid point, each a whole number q of fit_scale steps
    (origin + q * step, within float32's range), or nan or +-inf (a diverged fit)."""

    def level(value: Any, key: str) -> None:
        if value in (*NON_FINITE, "-inf") or (isinstance(value, float) and value != value):
            return
        if not isinstance(value, int) or isinstance(value, bool):
            raise Bad(key, f"expected a whole number, 'nan' or 'inf', got {_kind(value)}")
        if not abs(shape.origin + float(value) * shape.step) <= LARGEST:
            raise Bad(key, f"{_short(value)} fit_scale steps is beyond float32's range")

    return lambda values, key: array(values, key, level, shape.n_grid)


def array(
    value: Any, key: str, item: Callable[[Any, str], object], length: int | None = None
) -> list:
    if not isinstance(value, list):
        raise Bad(key, f"expected a list, got {_kind(value)}")
    if length is not None and len(value) != length:
        raise Bad(key, f"holds {len(value)} values, expected {length}")
    for i, entry in enumerate(value):
        item(entry, _where(key, i))
    return value


def check_header(line: dict, version: int) -> Shape:
    """A scene's header, but for its configs (config.from_dict checks those) and its tasks'
    count against them; the shape its frames must have."""
    required, one_of = HEADER_KEYS[version]
    keys(line, required, one_of | OPTIONAL_HEADER)
    for name, about in obj(line.get("method_files", {}), "method_files").items():
        where = _where("method_files", name)
        keys(obj(about, where), {"path", "sha256"}, set(), where)
        text(about["path"], _where(where, "path"))
        text(about["sha256"], _where(where, "sha256"))
    if len(one_of & line.keys()) != 1:
        raise Bad("", f"a header holds one of {' or '.join(sorted(one_of))}")
    text(line["cftui"], "cftui")
    text(line["device"], "device")
    whole(line["run"], "run")
    if "configs" in line:
        configs = array(line["configs"], "configs", obj)
        if not 1 <= len(configs) <= MAX_METHODS:
            raise Bad("configs", f"holds {len(configs)} configs, expected 1..{MAX_METHODS}")
    else:
        obj(line["config"], "config")
    grid = array(line["grid"], "grid", number)
    if len(grid) < 2:
        raise Bad("grid", f"holds {len(grid)} values, expected 2 or more")
    scale = obj(line["fit_scale"], "fit_scale")
    keys(scale, {"origin", "step"}, set(), "fit_scale")
    origin = number(scale["origin"], "fit_scale.origin")
    step = number(scale["step"], "fit_scale.step", positive=True)
    tasks = array(line["tasks"], "tasks", _task)
    if not tasks:
        raise Bad("tasks", "holds no task")
    return Shape(len(tasks), len(grid), len(line.get("configs", ())), origin, step)


def _task(raw: Any, key: str) -> None:
    names = {"name", "x_range", *(name for pair in TASK_PAIRS for name in pair)}
    keys(obj(raw, key), names, set(), key)
    text(raw["name"], _where(key, "name"))
    array(raw["x_range"], _where(key, "x_range"), number, 2)
    for x, y in TASK_PAIRS:
        xs = array(raw[x], _where(key, x), number)
        array(raw[y], _where(key, y), number, len(xs))
    if len(raw["curve_x"]) < 2:
        raise Bad(_where(key, "curve_x"), "a curve needs 2 points or more")


def check_frame(line: Any, shape: Shape, seen: list[Seen], fields: set[str]) -> None:
    """A frame: one method's part, or side by side its own fields and a part per run.
    ``seen`` (each run's counts so far) and ``fields`` (the comparison's fields so far) are
    updated once the whole line passed."""
    obj(line, "")
    if not shape.n_runs:
        keys(line, {"t", "step", "task", "epoch"}, PART_KEYS | FIELD_KEYS)
        number(line["t"], "t")
        seen[0] = _part(line, "", shape, seen[0])
        return
    keys(line, {"t", "runs"}, FIELD_KEYS - {"message"})
    number(line["t"], "t")
    _fields(line, "", fields, FIELD_KEYS - {"message"})
    parts = array(line["runs"], "runs", obj, shape.n_runs)
    seen[:] = [_part(part, f"runs[{i}]", shape, seen[i]) for i, part in enumerate(parts)]
    fields |= line.keys() & FIELD_KEYS


def _fields(line: dict, key: str, seen: set[str], wanted: set[str]) -> None:
    """The fields written where they change: all of them in a scene's first frame."""
    if missing := sorted(wanted - seen - line.keys()):
        raise Bad(_where(key, missing[0]), "missing in the scene's first frame")
    if "state" in line and line["state"] not in STATES:
        raise Bad(_where(key, "state"), f"expected one of {', '.join(STATES)}")
    if "pace" in line and line["pace"] is not None:
        number(line["pace"], _where(key, "pace"), positive=True)
    if "auto_advance" in line and not isinstance(line["auto_advance"], bool):
        raise Bad(_where(key, "auto_advance"), "expected true or false")
    if "message" in line:
        text(line["message"], _where(key, "message"))


def _part(part: dict, key: str, shape: Shape, seen: Seen) -> Seen:
    """One run's part of a frame; what that run has seen after it."""
    if key:
        keys(part, {"step", "task", "epoch"}, PART_KEYS | FIELD_KEYS, key)
    _fields(part, key, seen.fields, FIELD_KEYS)
    n = shape.n_tasks
    whole(part["step"], _where(key, "step"))
    whole(part["task"], _where(key, "task"), 0, n - 1)
    whole(part["epoch"], _where(key, "epoch"))
    losses = array(part.get("losses", []), _where(key, "losses"), _loss_row(n + 1, True))
    band = array(part.get("band", []), _where(key, "band"), _loss_row(2 * n, False))
    if (seen.band or band) and seen.band + len(band) != seen.losses + len(losses):
        raise Bad(_where(key, "band"), "must come with every row of losses, or with none")
    ghost = _levels(shape)
    ghosts = array(part.get("ghosts", []), _where(key, "ghosts"), ghost)
    bounds = array(part.get("boundaries", []), _where(key, "boundaries"), whole)
    matrix = array(part.get("matrix", []), _where(key, "matrix"), _loss_row(n, False))
    if "fit" in part:
        ghost(part["fit"], _where(key, "fit"))
    counts = {
        "ghosts": (seen.ghosts + len(ghosts), n),
        "boundaries": (seen.boundaries + len(bounds), n - 1),
        "matrix": (seen.matrix + len(matrix), n),
    }
    for name, (count, most) in counts.items():
        if count > most:
            raise Bad(_where(key, name), f"{count} in a run of {n} tasks: at most {most}")
    fields = seen.fields | (part.keys() & FIELD_KEYS)
    return Seen(
        fields,
        seen.losses + len(losses),
        seen.band + len(band),
        counts["ghosts"][0],
        counts["boundaries"][0],
        counts["matrix"][0],
    )


def _loss_row(length: int, stepped: bool) -> Callable[[Any, str], None]:
    """A row of ``length`` losses; ``stepped``: the first is the step they were measured at."""

    def check(row: Any, key: str) -> None:
        array(row, key, loss, length)
        if stepped:
            whole(row[0], _where(key, 0))

    return check


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "null" if value is None else _short(value)
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."
