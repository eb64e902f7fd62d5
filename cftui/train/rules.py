"""The rules a preset's values must keep beyond their types, in two passes.

First each key alone: its choices and bounds (:func:`_each_key`), judged on its own value only,
so every bad key is named once and whatever else is wrong with the file is still found.
Then the rules that combine keys (:func:`_combined`): each names the keys it reads, and is
skipped when one of them was refused, since it would only judge a stand-in (an unknown
family has no 1-D or 2-D rules; a refused ``n_classes`` builds no class list). No rule
builds anything larger than the bounds allow: ``n_classes = 100000000`` is refused before a
class list is made. The bounds keep every drawn point and target finite in float32, with no
numpy warning; whether training then converges is the run's to say. Imports no torch.
"""

from __future__ import annotations

from typing import Any

from cftui.train import digits, planar, tasks
from cftui.train.validation import (
    ACTIVATIONS,
    MAX_CLASSES,
    MAX_POINTS_PER_TASK,
    MAX_TASKS,
    MAX_WIDTH,
    OPTIMIZER_LIFETIMES,
    OPTIMIZERS,
    TEST_POINTS,
    Problems,
    check_choice,
    check_expressions,
    unfit_method,
)

MAX_LAYERS = 18  # input, 16 hidden, output: deeper is a typo here
MAX_X = 1000.0  # |x| of x_range and ranges: a cubic's targets stay far inside float32
MAX_COEFFICIENTS = 8  # up to x^7
MAX_COEFFICIENT = 1e6  # |c|: with |x| <= 1000 and x^7, a target stays below 1e28
MAX_NOISE = 1000.0  # the targets' (1-D) or the points' (2-D) standard deviation
MAX_SHIFT = 10.0  # 2-D: per task; points lie within a radius of about 2
MAX_ROTATION = 360.0  # degrees per task
MAX_EPOCHS = 1_000_000
MAX_BASIS = 256
CLASSIFIERS = {  # a classification family -> (its input width, what it is, its fixed number
    **{f: (2, "a point's x, y", n) for f, (_, n) in planar.FAMILIES.items()},  # of classes;
    digits.FAMILY: (digits.PIXELS, "an image's 8x8 pixels", digits.N_CLASSES),  # None: any)
}
PLANE_FAMILIES = ", ".join(CLASSIFIERS)


def check(c: Any, problems: Problems, to_train: bool = True) -> None:
    """Every rule of a built Config that types alone do not express; ``to_train``: False
    for a config read back only to draw (a recording's), which needs no extra of training."""
    _each_key(c, problems)
    _combined(c, problems, to_train)


def _within(problems: Problems, key: str, value: float, least: float, most: float) -> None:
    if not least <= value <= most:
        problems.add(key, f"must be {_text(least)}..{_text(most)}, got {_text(value)}")


def _text(number: float) -> str:
    """An integer as it is; 1000 for 1000.0, 1e+06 for 1e6: as short as the number reads."""
    if isinstance(number, int):
        return str(number)
    return str(int(number)) if number == int(number) and abs(number) < 1e6 else f"{number:g}"


def _each_key(c: Any, problems: Problems) -> None:
    """Each key's choices and bounds, on its own value alone."""
    d, m, t, add = c.data, c.model, c.train, problems.add
    check_choice(d.family, (*tasks.FAMILIES, *CLASSIFIERS), problems, "[data] family")
    if d.scenario:
        check_choice(d.scenario, planar.SCENARIOS, problems, "[data] scenario")
    check_choice(m.activation, ACTIVATIONS, problems, "[model] activation")
    check_choice(t.optimizer, OPTIMIZERS, problems, "[train] optimizer")
    check_choice(t.optimizer_lifetime, OPTIMIZER_LIFETIMES, problems, "[train] optimizer_lifetime")
    check_choice(d.test_points, TEST_POINTS, problems, "[data] test_points")
    _within(problems, "[data] n_tasks", d.n_tasks, 1, MAX_TASKS)
    _within(problems, "[data] points_per_task", d.points_per_task, 2, MAX_POINTS_PER_TASK)
    if not 0 < d.test_fraction < 1:
        add("[data] test_fraction", f"must be in (0, 1), got {d.test_fraction}")
    _within(problems, "[data] noise", d.noise, 0, MAX_NOISE)
    if d.seed < 0:
        add("[data] seed", f"must be >= 0, got {d.seed}")
    _within(problems, "[data] n_basis", d.n_basis, 1, MAX_BASIS)
    _within(problems, "[data] n_classes", d.n_classes, 2, MAX_CLASSES)
    _within(problems, "[data] rotation", d.rotation, -MAX_ROTATION, MAX_ROTATION)
    for i, moved in enumerate(d.shift):
        _within(problems, f"[data] shift[{i}]", moved, -MAX_SHIFT, MAX_SHIFT)
    for i, x in enumerate(d.x_range):
        _within(problems, f"[data] x_range[{i}]", x, -MAX_X, MAX_X)
    for i, pair in enumerate(d.ranges):
        for j, x in enumerate(pair):
            _within(problems, f"[data] ranges[{i}][{j}]", x, -MAX_X, MAX_X)
    for i, coefficients in enumerate(d.coefficients):
        if not 1 <= len(coefficients) <= MAX_COEFFICIENTS:
            add(f"[data] coefficients[{i}]", f"must have 1..{MAX_COEFFICIENTS} numbers (c0 ...)")
        for j, value in enumerate(coefficients):
            _within(
                problems, f"[data] coefficients[{i}][{j}]", value, -MAX_COEFFICIENT, MAX_COEFFICIENT
            )
    if not 2 <= len(m.layers) <= MAX_LAYERS:
        add("[model] layers", f"must have 2..{MAX_LAYERS} widths, got {len(m.layers)}")
    for i, width in enumerate(m.layers[:MAX_LAYERS]):
        _within(problems, f"[model] layers[{i}]", width, 1, MAX_WIDTH)
    if t.lr <= 0:
        add("[train] lr", f"must be > 0, got {t.lr}")
    _within(problems, "[train] epochs", t.epochs, 1, MAX_EPOCHS)
    if t.batch_size < 0:
        add("[train] batch_size", f"must be >= 0 (0 = full batch), got {t.batch_size}")
    if t.eval_every < 0:
        add("[train] eval_every", f"must be >= 0 (0 = auto), got {t.eval_every}")


def _combined(c: Any, problems: Problems, to_train: bool) -> None:
    """The rules that read several keys, each skipped when a key it reads was refused."""
    d, m, rule = c.data, c.model, problems.rule
    lo, hi = d.x_range
    rule(lo < hi, "[data] x_range", f"must be [low, high] with low < high, got [{lo}, {hi}]")
    # judged on good values only: a huge points_per_task times a fraction could overflow
    bad_split = problems.about("[data] points_per_task", "[data] test_fraction")
    n_test = 1 if bad_split else round(d.points_per_task * d.test_fraction)
    rule(
        1 <= n_test < d.points_per_task,
        "[data] test_fraction",
        f"leaves {n_test} test points of {d.points_per_task}; need at least one of each",
        "[data] points_per_task",
    )
    for key, items in (("functions", d.functions), ("ranges", d.ranges)):
        count = f"has {len(items)} entries but n_tasks = {d.n_tasks}"
        rule(not items or len(items) == d.n_tasks, f"[data] {key}", count, "[data] n_tasks")
    for i, (lo, hi) in enumerate(d.ranges):
        rule(
            lo < hi, f"[data] ranges[{i}]", f"must be [low, high] with low < high, got [{lo}, {hi}]"
        )
    if d.coefficients:
        count = f"has {len(d.coefficients)} entries but n_tasks = {d.n_tasks}"
        rule(len(d.coefficients) == d.n_tasks, "[data] coefficients", count, "[data] n_tasks")
    if problems.about("[data] family"):
        return  # neither the 1-D nor the 2-D rules apply to a family that is not there
    if d.coefficients:
        rule(d.family == "polynomial", "[data] coefficients", "only applies to family 'polynomial'")
    if d.family == "expr":
        rule(bool(d.functions), "[data] functions", "family 'expr' needs one expression per task")
        check_expressions(d, problems)
    if d.family in CLASSIFIERS:
        _plane(c, problems, to_train)
    else:
        rule(
            not d.scenario,
            "[data] scenario",
            "only for the 2-D families and digits: " + PLANE_FAMILIES,
        )
        rule(
            m.layers[:1] == (1,) and m.layers[-1:] == (1,),
            "[model] layers",
            f"must start and end with 1 (one input x, one output y), got {list(m.layers)}",
        )


def _plane(c: Any, problems: Problems, to_train: bool) -> None:
    """The rules of a classification preset (2-D or digits): its scenario, its classes and
    how the tasks share them, and a network with one input per feature, one output per
    class."""
    d, m, rule = c.data, c.model, problems.rule
    if not d.scenario:
        needs = f"family {d.family!r} needs one of: {', '.join(planar.SCENARIOS)}"
        problems.add("[data] scenario", needs)
    width, inputs, fixed = CLASSIFIERS[d.family]
    rule(
        fixed in (None, d.n_classes),
        "[data] n_classes",
        f"{d.family} has {fixed} classes, got {d.n_classes}",
    )
    moved = d.rotation != 0 or any(d.shift)
    rule(
        d.scenario == "domain" or not moved,
        "[data] rotation" if d.rotation else "[data] shift",
        "only applies to scenario 'domain'",
        "[data] scenario",
    )
    rule(
        d.test_points == "held_out",
        "[data] test_points",
        "a classification is tested on held-out points",
    )
    rule(
        m.layers[:1] == (width,) and m.layers[-1:] == (d.n_classes,),
        "[model] layers",
        f"must start with {width} ({inputs}) and end with {d.n_classes} (a logit per class), "
        f"got {list(m.layers)}",
        "[data] n_classes",
    )
    if d.family == digits.FAMILY:
        _digits(d, problems, to_train)
    why = unfit_method(c, c.method.name)
    rule(why is None, "[method] name", why or "", "[data] scenario")
    if not problems.about("[data] n_classes", "[data] n_tasks", "[data] scenario"):
        _classes_per_task(d, problems)


def _digits(d: Any, problems: Problems, to_train: bool) -> None:
    """The digits' own rules: the extra that reads them, and at most one task per pair of
    digits where the tasks split the digits (a task of one digit is no classification)."""
    why = digits.missing_extra() if to_train else None  # a replay draws the recorded images
    problems.rule(why is None, "[data] family", f"family 'digits' {why}")
    pairs = digits.N_CLASSES // 2
    problems.rule(
        d.scenario == "domain" or d.n_tasks <= pairs,
        "[data] n_tasks",
        f"{d.n_tasks} tasks but only {pairs} pairs of digits; at most {pairs} "
        f"(or scenario = 'domain')",
        "[data] scenario",
    )


def _classes_per_task(d: Any, problems: Problems) -> None:
    """How the tasks share the classes, judged on a good n_classes, n_tasks and scenario."""
    rule = problems.rule
    if d.scenario != "domain" and d.n_tasks > d.n_classes:
        why = f"{d.n_tasks} tasks of {d.n_classes} classes leave a task with no class"
        problems.add("[data] n_tasks", why)
        return
    groups = planar.task_classes(d)
    rule(
        d.scenario != "task" or min(map(len, groups)) >= 2,
        "[data] n_tasks",
        f"{d.n_tasks} tasks of {d.n_classes} classes leave a task of one class, which is always "
        "right when told its task",
    )
    per_class = d.points_per_task // max(map(len, groups))
    held = max(1, round(per_class * d.test_fraction))
    rule(
        per_class - held >= 1,
        "[data] points_per_task",
        f"gives {per_class} points per class; need at least one to train on and one to test",
        "[data] test_fraction",
    )
