"""Writing files atomically: the one place every output of cftui is written through.

Files are written to a temporary file beside the target and renamed over it, so a reader
sees the old file or the whole new one, never half of one. The file gets the mode any
other tool's output gets under the user's umask (0644 under 022), not the temporary
file's private 0600.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import secrets
from pathlib import Path
from typing import Any


class WriteError(Exception):
    """An output that cannot be written: one line naming the path and why (exit 2)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: cannot write: {message}")


def check_writable(path: Path) -> None:
    """Fail before a long run, not after it, when the output cannot be written."""
    folder = path.expanduser().parent
    if not folder.is_dir():
        raise WriteError(path, f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise WriteError(path, f"folder {folder} is not writable")


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` via a temporary file and a rename; WriteError on failure.

    The temporary file is created with mode 0666 for the kernel to mask with the umask, as
    any tool's output is (mkstemp's files stay 0600 after the rename)."""
    path = path.expanduser()
    data = content.encode() if isinstance(content, str) else content
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:
        raise WriteError(path, err.strerror or str(err)) from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise WriteError(path, err.strerror or str(err)) from None


def write_json(path: Path, data: Any) -> None:
    """JSON with dataclasses as objects and nan (a failed run's numbers) as null."""
    write_atomic(path, json.dumps(_finite(data), indent=2, allow_nan=False) + "\n")


def _finite(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
