"""The article's figures and animations, from a recording or a run: files for slides, posts
and papers (PNG, SVG, PDF; GIF, WebP, MP4).

Everything here draws from Snapshots (a recording read back, or a run's own), so it needs
no torch and no Textual; matplotlib (and Pillow, for GIF and WebP) come with the extra
`cftui[figures]`. `require()` says so in one line where it is missing.
"""

from __future__ import annotations

from pathlib import Path

from cftui.train.config import ConfigError

EXTRA = "pip install 'cftui[figures]'"


def require(what: str = "cftui figure") -> None:
    """matplotlib with its file-only backend, or ConfigError (one line naming the extra)."""
    try:
        import matplotlib
        import PIL  # noqa: F401  (GIF and WebP)
    except ImportError as err:
        raise ConfigError(what, "", f"needs {err.name}: {EXTRA}") from None
    matplotlib.use("Agg")


def save_here(shown: object, stem: str) -> tuple[bool, str]:
    """The app's "g": the figures of what is on screen (a Snapshot or a Comparison) as
    STEM-KIND.png in the current folder, where "s" saves screenshots; whether they were
    saved, and where, or why not (one line), for a notification."""
    from cftui.results.atomic import WriteError

    try:
        require('the "g" key')
        from cftui.figures import static

        kinds = static.kinds(shown)
        static.write(shown, Path(f"{stem}.png"), kinds)
    except (ConfigError, WriteError) as err:
        return False, f"figures not saved: {err}"
    return True, f"saved {Path.cwd() / stem}-*.png: {', '.join(kinds)}"
