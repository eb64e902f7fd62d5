"""The panels of the main screen, each redrawn only when what it shows has changed."""

TASK_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red")  # the 16-colour names


def task_color(j: int) -> str:
    return TASK_COLORS[j % len(TASK_COLORS)]
