"""Writing files atomically: the one place every output of cftui is written through.

Files are written to a temporary file beside the target and renamed over it, so a reader
sees the old file or the whole new one, never half of one; a command's several outputs are
renamed only once all were written (Outputs), so a failure leaves every one unchanged. The
file gets the mode any other tool's output gets under the user's umask (0644 under 022),
not the temporary file's private 0600.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import math
import os
import secrets
import signal
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


class WriteError(Exception):
    """An output that cannot be written: one line naming the path and why (exit 2)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: cannot write: {message}")


def check_writable(path: Path) -> None:
    """Fail before a long run, not after it, when the output cannot be written."""
    path = path.expanduser()
    folder = path.parent
    if not folder.is_dir():
        raise WriteError(path, f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise WriteError(path, f"folder {folder} is not writable")
    if path.is_dir():
        raise WriteError(path, os.strerror(errno.EISDIR))


class Outputs:
    """Every file one command writes, all or nothing.

    Each is checked writable when the command begins (before any work), written to a
    temporary file beside it (``write``, or ``temp`` for a writer that opens its own file),
    and renamed into place by ``commit`` once all of them were written. On any exit before
    that (an error, Ctrl+C, or SIGTERM, which is made an exit while the outputs are pending)
    the temporary files are removed and no target has changed."""

    def __init__(self, paths: Iterable[Path | None]) -> None:
        self.paths = [path.expanduser() for path in paths if path is not None]
        for path in self.paths:
            check_writable(path)
        self._temps: dict[Path, Path] = {}
        self._on_sigterm: Any = None

    def __enter__(self) -> Outputs:
        if threading.current_thread() is threading.main_thread():
            self._on_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        return self

    def __exit__(self, *exc: object) -> None:
        for temp in self._temps.values():
            temp.unlink(missing_ok=True)
        if self._on_sigterm is not None:
            signal.signal(signal.SIGTERM, self._on_sigterm)

    def temp(self, path: Path) -> Path:
        """A new temporary file's name for ``path`` (one of the outputs), ending in its
        suffix (a writer may pick the format by it); removed unless committed."""
        path = path.expanduser()
        if path not in self.paths:
            raise ValueError(f"{path} is not one of the outputs")
        temp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
        self._temps[path] = temp
        return temp

    def write(self, path: Path, content: str | bytes) -> None:
        """``content`` to ``path``'s temporary file, with the mode the umask gives (0666
        masked, as any tool's output; mkstemp's files would stay 0600 after the rename)."""
        temp = self.temp(path)
        data = content.encode() if isinstance(content, str) else content
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except OSError as err:
            raise WriteError(path, err.strerror or str(err)) from None

    def commit(self) -> None:
        """Rename every output into place, in the order they were named."""
        for path in self.paths:
            try:
                os.replace(self._temps.pop(path), path)
            except OSError as err:
                raise WriteError(path, err.strerror or str(err)) from None


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # the shell's code for a kill; cleanup runs on the way


def write_all(contents: Mapping[Path, str | bytes]) -> None:
    """Several files, all or nothing (Outputs); WriteError naming the first that failed."""
    with Outputs(contents) as outputs:
        for path, content in contents.items():
            outputs.write(path, content)
        outputs.commit()


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` via a temporary file and a rename; WriteError on failure."""
    write_all({path: content})


def json_text(data: Any) -> str:
    """JSON with dataclasses as objects and nan (a failed run's numbers) as null."""
    return json.dumps(_finite(data), indent=2, allow_nan=False) + "\n"


def write_json(path: Path, data: Any) -> None:
    write_atomic(path, json_text(data))


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
