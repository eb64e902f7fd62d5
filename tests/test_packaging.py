"""The wheel carries every package, the presets and the stylesheet (pyproject lists them)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_and_data_file_is_declared():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(setuptools["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "cftui").rglob("__init__.py")
    }
    assert on_disk | {"cftui.presets"} == declared
    assert setuptools["package-dir"]["cftui.presets"] == "presets"
    data = setuptools["package-data"]
    assert data["cftui.presets"] == ["*.toml"] and data["cftui.tui"] == ["*.tcss"]
    assert list((ROOT / "cftui" / "tui").glob("*.tcss"))
