"""A task's (and a class's) colour and, for a terminal without colour, its mark: one look per
task and per class, shared by the app's panels and the figures (which map the colour names to
a print palette)."""

TASK_COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red")  # the 16-colour names
TASK_MARKS = ("•", "+", "×", "∘", "▪", "*")  # a glyph per task, one cell each


def task_color(j: int) -> str:
    return TASK_COLORS[j % len(TASK_COLORS)]


def task_mark(j: int) -> str:
    return TASK_MARKS[j % len(TASK_MARKS)]


# A class's look in the decision-regions panel: its colour (the task palette's, then more),
# the mark of its training points, the sparse glyph that fills its region (so regions read
# without colour too), and the dark shade its region is filled with (points stay legible
# on it; a 16- or 256-colour terminal gets the nearest it has).
CLASS_COLORS = (
    *TASK_COLORS,
    *(
        "bright_cyan",
        "bright_magenta",
        "bright_yellow",
        "bright_green",
        "bright_blue",
        "bright_red",
    ),
)
CLASS_MARKS = ("●", "▲", "■", "◆", "★", "✚", "○", "△", "□", "◇", "☆", "✕")
REGION_MARKS = ("·", "-", "~", ":", "=", "%", "^", ",", "°", "_", "`", ";")
REGION_SHADES = (
    "#003844", "#3d1040", "#3a3300", "#0f3a12", "#101e4a", "#451010",
    "#1f5560", "#5a2a5e", "#55501a", "#2a5530", "#2a3a70", "#603030",
)  # fmt: skip


def class_color(c: int) -> str:
    return CLASS_COLORS[c % len(CLASS_COLORS)]


def class_mark(c: int) -> str:
    return CLASS_MARKS[c % len(CLASS_MARKS)]


def region_mark(c: int) -> str:
    return REGION_MARKS[c % len(REGION_MARKS)]


def region_shade(c: int) -> str:
    return REGION_SHADES[c % len(REGION_SHADES)]
