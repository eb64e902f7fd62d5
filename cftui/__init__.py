"""cftui: watch catastrophic forgetting happen in a terminal, and fight it."""

__version__ = "0.4.0"  # pyproject reads it; results, recordings and sweep rows carry it
