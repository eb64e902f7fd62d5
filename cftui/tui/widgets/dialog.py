"""The head of every dialog (pickers, help, explain), apart from the screens that use it so
that each of them can import it without importing the others."""

from rich.text import Text
from textual.widgets import Label


def head(*lines: str | Text) -> Label:
    """A dialog's first lines: its title, then its keys (muted), whatever its height."""
    lines = [Text(line, style="dim") if isinstance(line, str) else line for line in lines]
    return Label(Text("\n").join(lines), classes="dialog-head")
