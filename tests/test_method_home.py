"""One home per method: ``methods/<name>.py`` (code) beside ``methods/<name>.toml`` (all that
is said about it). The registry reads the TOML without torch, the explain pane and `cftui
methods` show it, and the docs' methods table is that data, row for row."""

import subprocess
import sys
from pathlib import Path

import pytest

from cftui.train import methods
from cftui.train.methods import MethodInfo

METHODS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "methods.md"
HEADER = "| method | what it does | settings (default) |"


def row(info: MethodInfo) -> str:
    """A method's row in the docs' table, made from its TOML file alone."""
    fresh = "fresh optimizer per task" if info.optimizer_lifetime == "task" else ""
    notes = "; ".join(note for note in (info.scenario, fresh) if note)
    label = f"`{info.name}`" + (f" *({notes})*" if notes else "")
    settings = [f"`{key}` ({methods.setting_text(v)})" for key, v in info.defaults.items()]
    detail = info.detail.replace("|", "\\|")  # a bar in a cell would end it
    return f"| {label} | {detail} | {', '.join(settings) or '–'} |"


def readme_table(text: str) -> list[str]:
    """The docs' methods table: its header to the first blank line."""
    lines = text.splitlines()
    start = lines.index(HEADER)
    return lines[start : lines.index("", start)]


def test_readme_methods_table_is_the_method_files():
    expected = [HEADER, "|---|---|---|", *(row(info) for info in methods.METHODS)]
    assert readme_table(METHODS_PAGE.read_text(encoding="utf-8")) == expected, "\n".join(expected)


def test_every_method_file_is_registered_with_its_class_and_every_field():
    here = Path(methods.__file__).parent
    assert sorted(p.stem for p in here.glob("*.toml")) == sorted(methods.names())
    for info in methods.METHODS:
        assert (here / f"{info.name}.py").read_text().count(f"class {info.class_name}(") == 1
        assert info.summary and "\n" not in info.summary
        for text in (info.paper, info.idea, info.formula, info.needs, info.fails, info.detail):
            assert len(text) > 20, info.name
        assert list(info.about) == list(info.defaults), info.name
        assert all(len(about) > 20 for about in info.about.values()), info.name
        assert set(info.most) <= set(info.defaults) and info.optimizer_lifetime in ("run", "task")


@pytest.mark.parametrize(
    "setting",
    ['default = 1\nabout = "what it is"\nmost = 2\nunit = "s"', "default = 1\nmost = 2"],
)
def test_a_setting_with_a_missing_or_unknown_key_fails_at_load(tmp_path, setting):
    text = (Path(methods.__file__).parent / "l2.toml").read_text(encoding="utf-8")
    start = text.index("[settings.lambda]")
    path = tmp_path / "l2.toml"
    path.write_text(text[:start] + f"[settings.lambda]\n{setting}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"l2.toml \[settings.lambda\]"):
        methods.load(path)


def test_the_registry_and_the_explain_pane_load_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from cftui.train import methods\n"
        "print(len(methods.names()), methods.info('hnet').most['depth'],"
        " methods.info('packnet').task_aware, methods.info('ewc').defaults['lambda'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["16", "16", "True", "10000.0"]
