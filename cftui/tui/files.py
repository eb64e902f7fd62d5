"""What the app writes, and how it says so: a screenshot where "s" (or the palette's
Screenshot) was asked for, in the working directory, and a training fault's traceback in the
temp folder, each written atomically (cftui.results.atomic.write_atomic): a full disk leaves no half
file. A message naming a path breaks it at a separator, never mid-word; a recording's path
and size are said when the app quits.
"""

from __future__ import annotations

import re
import tempfile
import time
import traceback
from pathlib import Path

from cftui.results.atomic import WriteError, write_atomic


def save_screenshot(svg: str, stem: str) -> tuple[bool, str]:
    """Save ``svg`` in the current folder as STEM.svg (export.file_stem: a preset's name
    cannot write elsewhere): whether it was saved, and where, or why not."""
    path = Path(f"{stem}.svg")
    try:
        write_atomic(path, svg)
    except WriteError as err:
        return False, f"screenshot not saved: {err}"
    return True, f"saved {path.resolve()}"


def save_traceback(error: BaseException) -> str:
    """Save the traceback; " (traceback in PATH)", or "" when it could not be written."""
    log = Path(tempfile.gettempdir()) / f"cftui-error-{time.strftime('%Y%m%d-%H%M%S')}.log"
    try:
        write_atomic(log, "".join(traceback.format_exception(error)))
    except WriteError:
        return ""
    return f" (traceback in {log})"


def wrap_at_separators(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` cells, broken after a space, "/", "-", "_" or
    ",", so a path wraps between its parts; a part longer than a line is cut where it must."""
    lines = [""]
    for part in re.findall(r"[^\s/_,-]*(?:[/_,-]|\s+|$)", text):
        if len(lines[-1]) + len(part.rstrip()) > width and lines[-1].strip():
            lines[-1] = lines[-1].rstrip()
            lines.append("")
        lines[-1] += part.lstrip() if not lines[-1] else part
        while len(lines[-1].rstrip()) > width:
            lines[-1:] = [lines[-1][:width], lines[-1][width:]]
    return "\n".join(line.rstrip() for line in lines if line.strip())
