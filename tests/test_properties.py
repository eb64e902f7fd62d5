"""Property tests: any preset or expression either loads or is refused with a message
(a line per problem).

Never a traceback of another kind, and never code execution: the parser only builds numpy
closures from a whitelist, which the last test checks with names that would run code.
"""

import string

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cftui.train import expr
from cftui.train.config import ConfigError, from_dict, load

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.booleans(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=10)
KEYS = {
    "data": [
        "family",
        "n_tasks",
        "x_range",
        "points_per_task",
        "test_fraction",
        "test_points",
        "noise",
        "seed",
        "n_basis",
        "coefficients",
        "functions",
        "ranges",
        "typo",
    ],
    "model": ["layers", "activation"],
    "train": ["optimizer", "lr", "epochs", "batch_size", "eval_every", "optimizer_lifetime"],
    "method": ["name", "lambda", "c", "buffer"],
}
GOOD = {
    "family": st.sampled_from(["polynomial", "rbf", "sigmoid", "fourier", "expr"]),
    "n_tasks": st.integers(-2, 25),
    "x_range": st.lists(st.floats(-10, 10), min_size=0, max_size=3),
    "layers": st.lists(st.integers(-1, 5000), max_size=5),
    "activation": st.sampled_from(["sigmoid", "tanh", "relu", "gelu", "swish"]),
    "optimizer": st.sampled_from(["adam", "sgd", "adamw"]),
    "test_points": st.sampled_from(["held_out", "grid", "grids"]),
    "optimizer_lifetime": st.sampled_from(["method", "run", "task", "epoch"]),
    "name": st.sampled_from(["naive", "ewc", "si", "replay", "bogus"]),
}


@st.composite
def presets(draw):
    raw = {}
    for section, keys in KEYS.items():
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=4))
            raw[section] = {k: draw(GOOD.get(k, values) | values) for k in chosen}
    if draw(st.booleans()):
        raw[draw(st.sampled_from(["name", "description", "extra"]))] = draw(values)
    return raw


@SETTINGS
@given(presets())
def test_any_preset_loads_or_names_its_problem(raw):
    try:
        config = from_dict(raw, "fuzz.toml")
    except ConfigError as err:
        lines = str(err).splitlines()  # every problem, one line each, each key once
        assert lines and all(line.startswith("fuzz.toml: ") for line in lines)
        keys = [key for key, _ in err.problems]
        assert len(keys) == len(set(keys)) == len(lines)
    else:
        assert config.train.lr > 0 and config.data.x_range[0] < config.data.x_range[1]


@SETTINGS
@given(st.text(max_size=200))
def test_any_file_loads_or_names_its_problem(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "p.toml"
    path.write_text(text)
    try:
        load(path)
    except ConfigError as err:
        assert str(err).startswith(str(path))


atoms = st.sampled_from(["x", "pi", "e", "1", "2.5", "0", "1e3", "sin(x)", "exp(x)", "log(x)"])
operators = st.sampled_from(["+", "-", "*", "/", "**"])


@st.composite
def expressions(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        return draw(atoms)
    left, right = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    form = draw(st.sampled_from(["{} {} {}", "({} {} {})", "-{1}{0}{2}", "sqrt(abs({} {} {}))"]))
    return form.format(left, draw(operators), right)


@SETTINGS
@given(expressions())
def test_grammar_expressions_evaluate_or_say_why(text):
    x = np.linspace(0.5, 2.0, 7)
    try:
        y = expr.evaluate(text, x)
    except expr.ExpressionError as err:
        assert str(err)
    else:
        assert y.shape == x.shape and np.all(np.isfinite(y))


@SETTINGS
@given(st.text(alphabet=string.printable, max_size=60))
def test_any_text_parses_or_is_refused(text):
    try:
        fn = expr.parse(text)
    except expr.ExpressionError:
        return
    assert callable(fn)


@SETTINGS
@given(
    st.sampled_from(
        [
            "__import__",
            "open",
            "exec",
            "eval",
            "globals",
            "getattr",
            "x.__class__",
            "().__class__",
            "[].append",
            "lambda: 0",
            "breakpoint",
            "compile",
        ]
    ),
    st.sampled_from(["{}", "{}('os')", "{}(x)", "sin({})", "x + {}"]),
)
def test_nothing_reaches_code_execution(name, form):
    text = form.format(name)
    try:
        expr.parse(text)
    except expr.ExpressionError:
        return
    raise AssertionError(f"{text!r} was accepted")
