"""Plain fine-tuning: train each task in turn and nothing else. It forgets; that is the point."""

from cftui.train.methods.base import Method


class Naive(Method):
    name = "naive"
