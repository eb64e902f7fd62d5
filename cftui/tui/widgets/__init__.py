"""The panels of the main screen, each redrawn only when what it shows has changed. A task's
points and, from the third task on, its loss curve are drawn in its colour and mark
(cftui.draw.task_style)."""
