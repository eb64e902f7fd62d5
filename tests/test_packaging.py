"""The wheel carries every package, the presets and the stylesheet (pyproject lists them),
and a checkout runs without an install."""

import os
import shutil
import subprocess
import sys
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
    for file in (ROOT / "cftui").rglob("*"):  # every file that is not code ships as data
        if file.is_file() and file.suffix not in (".py", ".pyc"):
            package = ".".join(file.parent.relative_to(ROOT).parts)
            assert any(file.match(pattern) for pattern in data.get(package, ())), file


def test_runs_from_a_checkout_with_no_install(tmp_path):
    """`python -m cftui` in a bare copy of the source tree: the presets are found in
    presets/ beside cftui/. -S keeps site from loading the editable install's finder, which
    would map cftui.presets to this checkout; the dependencies come through PYTHONPATH."""
    for folder in ("cftui", "presets"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.pyc"))
    dependencies = [p for p in sys.path if p.endswith("-packages")]
    done = subprocess.run(
        [sys.executable, "-S", "-m", "cftui", "presets"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(dependencies), "COLUMNS": "250"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"shipped: {tmp_path / 'presets'}" in done.stdout and "hypercl-toy" in done.stdout
