"""A task's colour and, for a terminal without colour, its mark: one look per task, shared by
the app's panels and the figures (which map the colour names to a print palette)."""

TASK_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red")  # the 16-colour names
TASK_MARKS = ("•", "+", "×", "∘", "▪", "*")  # a glyph per task, one cell each


def task_color(j: int) -> str:
    return TASK_COLORS[j % len(TASK_COLORS)]


def task_mark(j: int) -> str:
    return TASK_MARKS[j % len(TASK_MARKS)]
