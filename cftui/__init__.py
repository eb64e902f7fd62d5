"""cftui: watch catastrophic forgetting happen in a terminal, and fight it."""

__version__ = "0.1.0"
