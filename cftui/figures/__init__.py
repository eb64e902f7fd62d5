"""The article's figures and animations, from a recording or a run: files for slides, posts
and papers (PNG, SVG, PDF; GIF, WebP, MP4).

Everything here draws from Snapshots (a recording read back, or a run's own), so it needs
no torch and no Textual; matplotlib (and Pillow, for GIF and WebP) come with the extra
`cftui[figures]`. `require()` says so in one line where it is missing.
"""

from __future__ import annotations

from pathlib import Path

from cftui.train import problem
from cftui.train.config import Config, ConfigError

EXTRA = "pip install 'cftui[figures]'"


def undrawable(config: Config) -> str | None:
    """Why the figures cannot draw a run of ``config`` (None: they can): they draw a
    regression's fit; a classification's regions not yet (its run is recorded and replayed,
    its screen saved with the app's s key). `cftui figure` and the app's g ask this."""
    if problem.of(config).picture == "fit":
        return None
    return (
        f"figures are of 1-D regressions; {config.name} is a 2-D classification "
        "(record it and replay it, or save its screen with s in the app)"
    )


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
        from cftui.train.snapshot import Comparison

        kinds = static.SIDE_BY_SIDE_KINDS if isinstance(shown, Comparison) else static.KINDS
        static.write(shown, Path(f"{stem}.png"), kinds)
    except (ConfigError, WriteError) as err:
        return False, f"figures not saved: {err}"
    return True, f"saved {Path.cwd() / stem}-*.png: {', '.join(kinds)}"
