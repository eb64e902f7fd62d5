"""The documentation site: its reference pages are made from the code (every flag, preset
key and method setting, none missing), and it builds with mkdocs --strict (no broken link,
no page left out of the nav)."""

import argparse
import dataclasses
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cftui import cli
from cftui.train import methods

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("reference", ROOT / "docs/hooks/reference.py")
reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reference)


def every_parser(parser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from every_parser(sub)


def test_every_command_and_flag_is_in_the_reference():
    page = reference.commands_page()
    parser = cli.build_parser()
    for sub in every_parser(parser):
        assert f"## `{sub.prog}`" in page or sub is parser
        for action in sub._actions:
            for option in action.option_strings:
                assert f"`{option}`" in page, option
    assert "`--threads` | N | CPU threads per training step" in page


def test_every_preset_key_is_in_the_reference_with_its_comment():
    page = reference.preset_keys_page()
    for section, cls in reference.SECTIONS.items():
        comments = reference.field_comments(cls)
        assert set(comments) == {f.name for f in dataclasses.fields(cls)}, section
        for item in dataclasses.fields(cls):
            assert f"| `{item.name}` |" in page
    # a comment continued over lines is one cell
    assert "0 = full batch (one step per epoch); else every step takes this many points" in page


def test_every_method_setting_is_in_the_reference():
    page = reference.method_settings_page()
    for info in methods.METHODS:
        assert f"## `{info.name}`" in page
        for key, default in info.defaults.items():
            assert f"| `{key}` | `{methods.setting_text(default)}` |" in page


def test_the_readme_fits_on_a_few_screens():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


@pytest.mark.skipif(
    not shutil.which("mkdocs") and importlib.util.find_spec("mkdocs") is None,
    reason="the docs extra is not installed (pip install -e '.[docs]')",
)
def test_the_site_builds_strict(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reference/preset-keys/index.html").exists()
