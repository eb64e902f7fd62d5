"""What a recording's scene header may hold, by the picture its run draws, checked in full
before any of it is built (recording_schema checks the frames after it): a 1-D regression's
tasks and fit scale (versions 1 and 2), a 2-D classification's points and plane (version 3),
a digits run's shown test images (version 4).

A digits header holds only what the live picture draws, not the data set: per task its
classes and the test images the picture answers (digit_measure.SHOWN_PER_TASK of them),
each pixel as its whole count of ink 0..16 (digits.LEVELS: the set's own numbers, so a
replay draws the very pixels the live view drew), and as its grid each shown image's task
and index. A default digits-class header is 80 images, about 13 KB. Imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cftui.results.recording_checks import (
    Bad,
    array,
    class_of,
    keys,
    number,
    obj,
    text,
    where,
    whole,
)
from cftui.train.digits import LEVELS, PIXELS

MAX_METHODS = 32  # side by side: more configs in one header than any view draws
HEADER = {"format", "version", "cftui", "run", "device", "grid", "fit_scale", "tasks"}
# Keys a scene header holds in each version this cftui reads: (required, exactly one of).
HEADER_KEYS = {
    1: (HEADER, {"config"}),
    2: (HEADER, {"config", "configs"}),
    3: (HEADER - {"fit_scale"}, {"config", "configs"}),  # a 2-D classification's scene
    4: (HEADER - {"fit_scale"}, {"config", "configs"}),  # a digits run's scene (issue 35)
}
PICTURES = {1: "fit", 2: "fit", 3: "regions", 4: "digits"}  # what each version's scene draws
OPTIONAL_HEADER = {"method_files"}  # a user's method files the run used: {name: {path, sha256}}
TASK_PAIRS = (("x_train", "y_train"), ("x_test", "y_test"), ("curve_x", "curve_y"))
PLANE_TASK = {"name", "classes", "x_train", "y_train", "x_test", "y_test"}
DIGIT_TASK = {"name", "classes", "pixels", "labels"}  # its shown test images, their digits
FIT_TASK = {"name", "x_range", *(name for pair in TASK_PAIRS for name in pair)}
KINDS = {"fit": "a 1-D regression", "regions": "a 2-D classification", "digits": "a digits run"}
TASK_KEYS = {"fit": FIT_TASK, "regions": PLANE_TASK, "digits": DIGIT_TASK}  # by picture
MAX_CLASSES = 1000  # a class index in a recording: more than any preset can hold


@dataclass(frozen=True)
class Shape:
    """What a scene's header fixes for every frame of it."""

    n_tasks: int
    n_grid: int  # the picture's values a frame holds: a fit's points, a plane's cells, or
    # the digits shown
    n_runs: int  # side by side: the parts a frame holds; 0 for one method's scene
    origin: float  # fit_scale: a fit's level q is the value origin + q * step
    step: float
    n_classes: int = 0  # a classification's (its picture: a class per value); 0: a fit
    n_rows: int = 0  # a classification's confusion rows: a (task, class) pair each
    picture: str = "fit"  # what its run draws: "fit", "regions" or "digits"


def check_header(line: dict, version: int) -> Shape:
    """A scene's header, but for its configs (config.from_dict checks those) and its tasks'
    count against them; the shape its frames must have."""
    _tasks_of_its_version(line, version)
    required, one_of = HEADER_KEYS[version]
    keys(line, required, one_of | OPTIONAL_HEADER)
    for name, about in obj(line.get("method_files", {}), "method_files").items():
        at = where("method_files", name)
        keys(obj(about, at), {"path", "sha256"}, set(), at)
        text(about["path"], where(at, "path"))
        text(about["sha256"], where(at, "sha256"))
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
    return READERS[PICTURES[version]](line)


def _tasks_of_its_version(line: dict, version: int) -> None:
    """A header whose version was edited holds another version's tasks: say so, rather than
    name the first key its version's tasks miss ("tasks[0].x_test: missing")."""
    tasks = line.get("tasks")
    first = tasks[0] if isinstance(tasks, list) and tasks else None
    if not isinstance(first, dict) or set(first) == TASK_KEYS[PICTURES[version]]:
        return
    for held, names in TASK_KEYS.items():
        if set(first) == names:
            newest = max(v for v, picture in PICTURES.items() if picture == held)
            raise Bad(
                "version",
                f"{version}, but the tasks are {KINDS[held]}'s (version {newest}): "
                "was the version edited?",
            )


def _fit_header(line: dict) -> Shape:
    """A 1-D regression's grid (the x the fit is drawn at), fit scale and tasks."""
    grid = array(line["grid"], "grid", number)
    if len(grid) < 2:
        raise Bad("grid", f"holds {len(grid)} values, expected 2 or more")
    scale = obj(line["fit_scale"], "fit_scale")
    keys(scale, {"origin", "step"}, set(), "fit_scale")
    origin = number(scale["origin"], "fit_scale.origin")
    step = number(scale["step"], "fit_scale.step", positive=True)
    tasks = _tasks(line, _task)
    return Shape(len(tasks), len(grid), len(line.get("configs", ())), origin, step)


def _plane_header(line: dict) -> Shape:
    """A 2-D classification's grid (the cells' centres along x, then along y) and tasks."""
    grid = array(line["grid"], "grid", lambda axis, key: array(axis, key, number), 2)
    if len(grid[0]) < 2 or len(grid[1]) != len(grid[0]):
        raise Bad("grid", "expected two axes of the same length, 2 or more each")
    return _classes(line, _tasks(line, _plane_task), len(grid[0]) ** 2, "regions")


def _digits_header(line: dict) -> Shape:
    """A digits run's tasks (their shown images) and grid: each shown image's task, then
    its index among its task's shown images."""
    tasks = _tasks(line, _digit_task)
    grid = array(line["grid"], "grid", lambda row, key: array(row, key, whole), 2)
    if not grid[0] or len(grid[1]) != len(grid[0]):
        raise Bad("grid", "expected two rows of the same length (a task, an image), 1 or more")
    for i, (task, image) in enumerate(zip(*grid, strict=True)):
        whole(task, where(where("grid", 0), i), 0, len(tasks) - 1)
        shown = len(tasks[task]["labels"])
        if image >= shown:
            raise Bad(where(where("grid", 1), i), f"task {task + 1} holds {shown} images")
    return _classes(line, tasks, len(grid[0]), "digits")


def _tasks(line: dict, task: Any) -> list:
    tasks = array(line["tasks"], "tasks", task)
    if not tasks:
        raise Bad("tasks", "holds no task")
    return tasks


def _classes(line: dict, tasks: list, n_grid: int, picture: str) -> Shape:
    """A classification's shape: its classes and confusion rows from its tasks' classes."""
    n_classes = 1 + max(max(task["classes"]) for task in tasks)
    n_rows = sum(len(task["classes"]) for task in tasks)
    n_runs = len(line.get("configs", ()))
    return Shape(len(tasks), n_grid, n_runs, 0.0, 1.0, n_classes, n_rows, picture)


def _task_classes(raw: Any, key: str, names: set[str]) -> list:
    keys(obj(raw, key), names, set(), key)
    text(raw["name"], where(key, "name"))
    classes = array(raw["classes"], where(key, "classes"), class_of(MAX_CLASSES))
    if not classes:
        raise Bad(where(key, "classes"), "holds no class")
    return classes


def _plane_task(raw: Any, key: str) -> None:
    classes = _task_classes(raw, key, PLANE_TASK)
    for x, y in (("x_train", "y_train"), ("x_test", "y_test")):
        point = lambda value, where: array(value, where, number, 2)  # noqa: E731
        xs = array(raw[x], where(key, x), point)
        array(raw[y], where(key, y), class_of(1 + max(classes)), len(xs))


def _digit_task(raw: Any, key: str) -> None:
    classes = _task_classes(raw, key, DIGIT_TASK)
    ink = lambda value, at: whole(value, at, 0, LEVELS)  # noqa: E731
    image = lambda value, at: array(value, at, ink, PIXELS)  # noqa: E731
    images = array(raw["pixels"], where(key, "pixels"), image)
    array(raw["labels"], where(key, "labels"), class_of(1 + max(classes)), len(images))


def _task(raw: Any, key: str) -> None:
    keys(obj(raw, key), FIT_TASK, set(), key)
    text(raw["name"], where(key, "name"))
    array(raw["x_range"], where(key, "x_range"), number, 2)
    for x, y in TASK_PAIRS:
        xs = array(raw[x], where(key, x), number)
        array(raw[y], where(key, y), number, len(xs))
    if len(raw["curve_x"]) < 2:
        raise Bad(where(key, "curve_x"), "a curve needs 2 points or more")


READERS = {"fit": _fit_header, "regions": _plane_header, "digits": _digits_header}
