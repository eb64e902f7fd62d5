"""Where presets are found: the shipped ones, the user's, or a path.

A name is looked up in ``$XDG_CONFIG_HOME/cftui/presets`` (default ``~/.config``) first,
so a user can override a shipped preset, then among the presets shipped in the package.
The shipped presets live in ``presets/`` at the top of the repository and install as
``cftui.presets``; run from a checkout with no install, they are found beside ``cftui/``.
"""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path

from cftui.train.config import Config, ConfigError, load

DEFAULT = "polynomial"


def user_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "cftui" / "presets"


def shipped_dir() -> Path:
    try:
        return Path(str(importlib.resources.files("cftui.presets")))
    except ModuleNotFoundError:  # `python -m cftui` in a checkout that was never installed
        return Path(__file__).resolve().parents[2] / "presets"


def shipped(name: str) -> Path | None:
    """The shipped preset file called ``name``, or None: what its measured numbers were
    taken on (a user's file of that name shadows it for --preset, not for them)."""
    path = shipped_dir() / f"{name}.toml"
    return path if path.is_file() else None


@dataclass(frozen=True)
class Entry:
    name: str
    path: Path
    config: Config | None  # None when the file is broken
    error: str = ""  # why it is skipped: one problem per line, `[table] key: problem`
    shadows: bool = False  # a user preset that hides the shipped one of the same name


def find(name_or_path: str) -> Path:
    """The preset file a --preset value means; a ConfigError names what was tried."""
    path = Path(name_or_path).expanduser()
    if path.suffix == ".toml" or os.sep in name_or_path or path.is_file():
        if not path.is_file():
            raise ConfigError(str(path), "", "no such preset file")
        return path
    for folder in (user_dir(), shipped_dir()):
        candidate = folder / f"{name_or_path}.toml"
        if candidate.is_file():
            return candidate
    entries = available()
    known = ", ".join(e.name for e in entries if e.config)
    broken = ", ".join(e.name for e in entries if not e.config)
    also = f" (broken: {broken}; see cftui presets)" if broken else ""
    raise ConfigError(f"--preset {name_or_path}", "", f"no such preset; known: {known}{also}")


def resolve(name_or_path: str) -> Config:
    return load(find(name_or_path))


def available() -> list[Entry]:
    """Every preset by name, the user's shadowing shipped ones; broken files say why."""
    shipped, yours = _presets_in(shipped_dir()), _presets_in(user_dir())
    entries = []
    for name, path in sorted({**shipped, **yours}.items()):
        shadows = name in shipped and name in yours
        try:
            entries.append(Entry(name, path, load(path), shadows=shadows))
        except ConfigError as err:
            entries.append(Entry(name, path, None, "\n".join(err.details()), shadows))
    return entries


def _presets_in(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in folder.glob("*.toml")} if folder.is_dir() else {}
