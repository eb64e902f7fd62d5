"""Safe, vectorised expressions of ``x`` for user-defined tasks.

Presets are data, so a preset's ``functions = ["sin(3*x) + 0.5*x**2"]`` must never reach
``eval``. The text is parsed with :mod:`ast` and every node is checked against a small
whitelist; the tree is then compiled into a closure over numpy functions.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable

import numpy as np

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "arcsin": np.arcsin,
    "arccos": np.arccos,
    "arctan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "floor": np.floor,
    "ceil": np.ceil,
}
CONSTANTS = {"pi": np.pi, "e": np.e}
BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
MAX_LENGTH = 500

Expression = Callable[[np.ndarray], np.ndarray]


class ExpressionError(ValueError):
    """The text is not a safe expression of x; the message names the offending part."""


def parse(text: str) -> Expression:
    """Compile ``text`` into a function of a numpy array ``x``."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError(f"syntax error in {text!r}: {err.msg}") from None
    except (ValueError, MemoryError, RecursionError) as err:
        raise ExpressionError(f"cannot parse {text!r}: {err}") from None
    try:
        return _compile(tree.body, text)
    except RecursionError:
        raise ExpressionError(f"expression {text!r} is nested too deeply") from None


def evaluate(text: str, x: np.ndarray) -> np.ndarray:
    """Evaluate ``text`` on ``x``; a result that is not finite everywhere is an error."""
    with np.errstate(all="ignore"):
        y = np.broadcast_to(np.asarray(parse(text)(x), dtype=np.float64), np.shape(x))
    if not np.all(np.isfinite(y)):
        raise ExpressionError(f"{text!r} is not finite everywhere on its range")
    return np.array(y)


def _compile(node: ast.AST, text: str) -> Expression:
    part = ast.get_source_segment(text, node) or type(node).__name__
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"{part!r} is not a number (in {text!r})")
        value = np.float64(node.value)  # numpy scalars overflow to inf instead of raising
        return lambda x: value
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x: x
        if node.id in CONSTANTS:
            constant = np.float64(CONSTANTS[node.id])
            return lambda x: constant
        raise ExpressionError(f"unknown name {node.id!r} (in {text!r}); use x, pi or e")
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        op, left, right = (
            BINARY[type(node.op)],
            _compile(node.left, text),
            _compile(node.right, text),
        )
        return lambda x: op(left(x), right(x))
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
        op, operand = UNARY[type(node.op)], _compile(node.operand, text)
        return lambda x: op(operand(x))
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise ExpressionError(
                f"function {part.split('(')[0]!r} is not allowed (in {text!r}); "
                f"allowed: {', '.join(FUNCTIONS)}"
            )
        if len(node.args) != 1 or node.keywords:
            raise ExpressionError(f"{name}() takes exactly one argument (in {text!r})")
        fn, arg = FUNCTIONS[name], _compile(node.args[0], text)
        return lambda x: fn(arg(x))
    raise ExpressionError(f"{part!r} is not allowed (in {text!r})")
