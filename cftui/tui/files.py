"""What the app writes: a screenshot where "s" (or the palette's Screenshot) was asked for,
in the working directory, and a training fault's traceback in the temp folder. Each is
written atomically (cftui.results.write_atomic): a full disk leaves no half file.
"""

from __future__ import annotations

import tempfile
import time
import traceback
from pathlib import Path

from cftui import results


def save_screenshot(svg: str, stem: str) -> tuple[bool, str]:
    """Save ``svg`` in the current folder as STEM.svg (export.file_stem: a preset's name
    cannot write elsewhere): whether it was saved, and where, or why not."""
    path = Path(f"{stem}.svg")
    try:
        results.write_atomic(path, svg)
    except results.WriteError as err:
        return False, f"screenshot not saved: {err}"
    return True, f"saved {path.resolve()}"


def save_traceback(error: BaseException) -> str:
    """Save the traceback; " (traceback in PATH)", or "" when it could not be written."""
    log = Path(tempfile.gettempdir()) / f"cftui-error-{time.strftime('%Y%m%d-%H%M%S')}.log"
    try:
        results.write_atomic(log, "".join(traceback.format_exception(error)))
    except results.WriteError:
        return ""
    return f" (traceback in {log})"
