"""The panels of the main screen, each redrawn only when what it shows has changed.

A task has a colour and, for a terminal without colour, a mark of its own: its points in
the fit panel are drawn with it, and from the third task on its loss curve too.
"""

TASK_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red")  # the 16-colour names
TASK_MARKS = ("•", "+", "×", "∘", "▪", "*")  # a glyph per task, one cell each


def task_color(j: int) -> str:
    return TASK_COLORS[j % len(TASK_COLORS)]


def task_mark(j: int) -> str:
    return TASK_MARKS[j % len(TASK_MARKS)]
