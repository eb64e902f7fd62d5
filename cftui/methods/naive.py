"""Plain fine-tuning: train each task in turn and nothing else. It forgets; that is the point."""

from cftui.methods.base import Method


class Naive(Method):
    name = "naive"
    summary = "plain fine-tuning: each task in turn, nothing kept (forgets)"
