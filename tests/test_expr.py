import re

import numpy as np
import pytest

from cftui.train import expr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + 3", lambda x: x + 3),
        ("2*x**2 - 1", lambda x: 2 * x**2 - 1),
        ("(x - 3)**3", lambda x: (x - 3) ** 3),
        ("sin(3*x) + 0.5*x**2", lambda x: np.sin(3 * x) + 0.5 * x**2),
        ("-x / 2 + +1", lambda x: -x / 2 + 1),
        ("exp(-x**2) * cos(pi*x)", lambda x: np.exp(-(x**2)) * np.cos(np.pi * x)),
        ("e", lambda x: np.full_like(x, np.e)),
        ("sqrt(abs(x)) + tanh(x)", lambda x: np.sqrt(np.abs(x)) + np.tanh(x)),
    ],
)
def test_evaluates_like_numpy(text, expected):
    x = np.linspace(-2, 2, 41)
    np.testing.assert_allclose(expr.evaluate(text, x), expected(x))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("__import__('os').system('echo hi')", "__import__"),
        ("x.__class__", "x.__class__"),
        ("open('f')", "open"),
        ("y + 1", "'y'"),
        ("lambda: 1", "lambda"),
        ("x if x else 1", "x if x else 1"),
        ("[x]", "[x]"),
        ("'a'", "'a'"),
        ("x % 2", "x % 2"),
        ("sin(x, x)", "sin()"),
        ("sin(x=1)", "sin()"),
        ("True + x", "True"),
        ("x +", "syntax"),
        ("", "empty"),
        ("(" * 500 + "x" + ")" * 500, "longer"),
        ("x < 1", "x < 1"),
    ],
)
def test_rejects_anything_else_naming_the_part(text, named):
    with pytest.raises(expr.ExpressionError, match=re.escape(named)):
        expr.parse(text)


def test_non_finite_values_are_an_error():
    with pytest.raises(expr.ExpressionError, match="not finite"):
        expr.evaluate("log(x)", np.linspace(-1, 1, 5))
    with pytest.raises(expr.ExpressionError, match="not finite"):
        expr.evaluate("10**10**10", np.zeros(3))


def test_constant_expression_broadcasts():
    assert expr.evaluate("2*pi", np.zeros(4)).shape == (4,)
