"""What each frame of a recording may hold, checked in full before any of it is built or drawn
(recording_headers checks the scene headers, and fixes the Shape a scene's frames have).

A recording can be edited by hand or damaged, and what passes here is drawn by matplotlib,
replayed by the app and stacked into numpy arrays: a number that overflows (``1e999``), a
row too short, a fit shorter than its grid or nesting deeper than any line needs would
otherwise surface as an OverflowError, a ValueError or a RecursionError far from the file.
Every check raises Bad (recording_checks holds the checks of single values), naming the key
(``losses[3][1]``) and what is wrong, which the reader turns into one line naming the file
and the line. These two modules are the one place the format's schema lives: a new version
adds its keys to recording_headers.HEADER_KEYS and its checks beside these. Imports no torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cftui.results.recording_checks import (
    LARGEST,
    Bad,
    array,
    class_of,
    keys,
    kind,
    number,
    obj,
    short,
    text,
    where,
    whole,
)
from cftui.results.recording_headers import Shape

NON_FINITE = ("nan", "inf")  # how a recording writes a diverged run's numbers
STATES = ("running", "paused", "task done", "finished", "diverged")  # snapshot.State's values
FIELD_KEYS = {"state", "pace", "auto_advance", "message"}  # recording.FIELDS
PART_KEYS = {"step", "task", "epoch", "losses", "band", "ghosts", "boundaries", "matrix", "fit"}
CLASS_PART_KEYS = {"accuracy", "accuracy_matrix", "confusion"}  # version 3: beside the
# losses and matrix ("confusion" since issue 32: a recording without it still reads)
CONFUSION = {"counts", "logits"}  # the test's answers by class; each class's mean logit
ACCURACY_ROUNDING = 1e-9  # a mean of 1s over a task's points can land at 1 + 2e-16


@dataclass
class Seen:
    """What one run of a scene has held so far: its frames add to these."""

    fields: set[str]
    losses: int = 0
    band: int = 0
    ghosts: int = 0
    boundaries: int = 0
    matrix: int = 0
    accuracy_matrix: int = 0


def loss(value: Any, key: str) -> None:
    """A loss: a number >= 0, or nan or inf (a diverged run), as text or as JSON's NaN."""
    if value in NON_FINITE or (isinstance(value, float) and (value != value or value == math.inf)):
        return
    if number(value, key) < 0:
        raise Bad(key, f"a loss is >= 0, got {short(value)}")


def _levels(shape: Shape) -> Callable[[Any, str], None]:
    """A fit (or a ghost): a value per grid point, each a whole number q of fit_scale steps
    (origin + q * step, within float32's range), or nan or +-inf (a diverged fit)."""

    def level(value: Any, key: str) -> None:
        if value in (*NON_FINITE, "-inf") or (isinstance(value, float) and value != value):
            return
        if not isinstance(value, int) or isinstance(value, bool):
            raise Bad(key, f"expected a whole number, 'nan' or 'inf', got {kind(value)}")
        if not abs(shape.origin + float(value) * shape.step) <= LARGEST:
            raise Bad(key, f"{short(value)} fit_scale steps is beyond float32's range")

    return lambda values, key: array(values, key, level, shape.n_grid)


def _class_runs(shape: Shape) -> Callable[[Any, str], None]:
    """A plane's picture: [[class, count], ...] whose counts cover every cell once."""

    def check(runs: Any, key: str) -> None:
        pair = lambda run, where: array(run, where, whole, 2)  # noqa: E731
        array(runs, key, pair)
        for i, (label, _) in enumerate(runs):
            class_of(shape.n_classes)(label, where(where(key, i), 0))
        if sum(count for _, count in runs) != shape.n_grid:
            raise Bad(key, f"its runs cover {sum(c for _, c in runs)} cells, not {shape.n_grid}")

    return check


def _answers(shape: Shape) -> Callable[[Any, str], None]:
    """A digits run's picture: the class answered to each shown image."""
    return lambda values, key: array(values, key, class_of(shape.n_classes), shape.n_grid)


PICTURES = {"fit": _levels, "regions": _class_runs, "digits": _answers}  # a fit or a ghost's
# check, by what the scene's run draws


def check_frame(line: Any, shape: Shape, seen: list[Seen], fields: set[str]) -> None:
    """A frame: one method's part, or side by side its own fields and a part per run.
    ``seen`` (each run's counts so far) and ``fields`` (the comparison's fields so far) are
    updated once the whole line passed."""
    obj(line, "")
    if not shape.n_runs:
        more = CLASS_PART_KEYS if shape.n_classes else set()
        keys(line, {"t", "step", "task", "epoch"}, PART_KEYS | FIELD_KEYS | more)
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
        raise Bad(where(key, missing[0]), "missing in the scene's first frame")
    if "state" in line and line["state"] not in STATES:
        raise Bad(where(key, "state"), f"expected one of {', '.join(STATES)}")
    if "pace" in line and line["pace"] is not None:
        number(line["pace"], where(key, "pace"), positive=True)
    if "auto_advance" in line and not isinstance(line["auto_advance"], bool):
        raise Bad(where(key, "auto_advance"), "expected true or false")
    if "message" in line:
        text(line["message"], where(key, "message"))


def _part(part: dict, key: str, shape: Shape, seen: Seen) -> Seen:
    """One run's part of a frame; what that run has seen after it."""
    more = CLASS_PART_KEYS if shape.n_classes else set()
    if key:
        keys(part, {"step", "task", "epoch"}, PART_KEYS | FIELD_KEYS | more, key)
    firsts = FIELD_KEYS | ({"fit"} if shape.n_classes else set())  # a plane has no default
    _fields(part, key, seen.fields, firsts)
    n = shape.n_tasks
    whole(part["step"], where(key, "step"))
    whole(part["task"], where(key, "task"), 0, n - 1)
    whole(part["epoch"], where(key, "epoch"))
    losses = array(part.get("losses", []), where(key, "losses"), _loss_row(n + 1, True))
    band = array(part.get("band", []), where(key, "band"), _loss_row(2 * n, False))
    if (seen.band or band) and seen.band + len(band) != seen.losses + len(losses):
        raise Bad(where(key, "band"), "must come with every row of losses, or with none")
    ghost = PICTURES[shape.picture](shape)
    ghosts = array(part.get("ghosts", []), where(key, "ghosts"), ghost)
    bounds = array(part.get("boundaries", []), where(key, "boundaries"), whole)
    matrix = array(part.get("matrix", []), where(key, "matrix"), _loss_row(n, False))
    if "fit" in part:
        ghost(part["fit"], where(key, "fit"))
    accuracy = array(part.get("accuracy", []), where(key, "accuracy"), _accuracy_row(n))
    if more and len(accuracy) != len(losses):
        raise Bad(where(key, "accuracy"), "must come with every row of losses")
    rows = array(part.get("accuracy_matrix", []), where(key, "accuracy_matrix"), _accuracy_row(n))
    if "confusion" in part:
        _confusion(part["confusion"], where(key, "confusion"), shape)
    counts = {
        "ghosts": (seen.ghosts + len(ghosts), n),
        "boundaries": (seen.boundaries + len(bounds), n - 1),
        "matrix": (seen.matrix + len(matrix), n),
        "accuracy_matrix": (seen.accuracy_matrix + len(rows), n),
    }
    for name, (count, most) in counts.items():
        if count > most:
            raise Bad(where(key, name), f"{count} in a run of {n} tasks: at most {most}")
    fields = seen.fields | (part.keys() & firsts)
    return Seen(
        fields,
        seen.losses + len(losses),
        seen.band + len(band),
        *(count for count, _ in counts.values()),
    )


def _confusion(raw: Any, key: str, shape: Shape) -> None:
    """A confusion matrix: a row of whole counts per (task, class), a column per class; and
    each class's mean logit (a number, or nan or +-inf: a diverged run's)."""
    keys(obj(raw, key), CONFUSION, set(), key)
    row = lambda values, at: array(values, at, whole, shape.n_classes)  # noqa: E731
    array(raw["counts"], where(key, "counts"), row, shape.n_rows)

    def logit(value: Any, at: str) -> None:
        if value not in (*NON_FINITE, "-inf"):
            number(value, at)

    array(raw["logits"], where(key, "logits"), logit, shape.n_classes)


def _accuracy_row(length: int) -> Callable[[Any, str], None]:
    """A row of ``length`` accuracies: each 0..1 (a mean may round past 1 by ACCURACY_ROUNDING),
    or nan (a diverged seed's)."""

    def share(value: Any, key: str) -> None:
        if value == "nan" or (isinstance(value, float) and value != value):
            return
        if not 0 <= number(value, key) <= 1 + ACCURACY_ROUNDING:
            raise Bad(key, f"an accuracy is within 0..1, got {short(value)}")

    return lambda row, key: array(row, key, share, length)


def _loss_row(length: int, stepped: bool) -> Callable[[Any, str], None]:
    """A row of ``length`` losses; ``stepped``: the first is the step they were measured at."""

    def check(row: Any, key: str) -> None:
        array(row, key, loss, length)
        if stepped:
            whole(row[0], where(key, 0))

    return check
