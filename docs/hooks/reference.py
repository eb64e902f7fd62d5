"""The reference pages, made from the code at build time so nothing is written twice: every
command and flag (cftui's argparse parser), every preset key (the config dataclasses and the
comment beside each field) and every method setting (the methods' TOML files), plus the
benchmark results kept in benchmarks/RESULTS.md, and the screenshots the tests keep, which
the guides show. mkdocs calls :func:`on_files` (mkdocs.yml
names this file under ``hooks``); tests/test_docs.py calls the page functions."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
from pathlib import Path

from cftui import cli
from cftui.train import config, methods

ROOT = Path(__file__).resolve().parents[2]
PAGES = {  # the page's path in the site -> the function that writes it
    "reference/commands.md": "commands_page",
    "reference/preset-keys.md": "preset_keys_page",
    "reference/method-settings.md": "method_settings_page",
    "built/results.md": "results_page",
}
SECTIONS = {  # a preset's [section] -> its dataclass
    "data": config.DataConfig,
    "model": config.ModelConfig,
    "train": config.TrainConfig,
    "method": config.MethodConfig,
}
FIELD_LINE = re.compile(r"^    (\w+): [^=]+= .+?  # (.*)$")
MORE_LINE = re.compile(r"^    # (.*)$")


def cell(text: object) -> str:
    """Text for a Markdown table cell: pipes escaped, on one line."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _flags(parser: argparse.ArgumentParser) -> list[str]:
    rows = ["| flag | value | what it does |", "|---|---|---|"]
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        names = ", ".join(f"`{name}`" for name in action.option_strings) or f"`{action.dest}`"
        value = action.metavar or _choices(action.choices)
        if action.nargs == 0:
            value = ""
        rows.append(f"| {names} | {cell(value)} | {cell(action.help or '')} |")
    return rows


def _choices(choices) -> str:
    """A flag's choices, or where to find them when they are many (the methods)."""
    if not choices:
        return ""
    return "|".join(map(str, choices)) if len(choices) <= 6 else "NAME (`cftui methods`)"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def commands_page() -> str:
    parser = cli.build_parser()
    lines = [
        "# Commands and flags",
        "",
        "Made from cftui's own parser when the site is built; `cftui COMMAND --help` says the",
        "same. Exit codes: 0 done, 1 a run diverged, 2 bad input (one line per problem).",
        "",
        "## `cftui` (the live app)",
        "",
        cell(parser.description),
        "",
        *_flags(parser),
    ]
    for name, sub in _subcommands(parser).items():
        lines += ["", f"## `cftui {name}`", ""]
        if sub.description:
            lines += [cell(sub.description), ""]
        lines += _flags(sub)
        for group, nested in _nested(sub).items():
            lines += ["", f"### `cftui {name} {group}`", "", *_flags(nested)]
    return "\n".join(lines) + "\n"


def _nested(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    has = any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
    return _subcommands(parser) if has else {}


def field_comments(cls: type) -> dict[str, str]:
    """Each field's comment in the dataclass's source: the one on its line and the comment
    lines that continue it."""
    comments: dict[str, str] = {}
    current = None
    for line in inspect.getsource(cls).splitlines():
        if found := FIELD_LINE.match(line):
            current, comments[found[1]] = found[1], found[2]
        elif current and (more := MORE_LINE.match(line)):
            comments[current] += " " + more[1]
        else:
            current = None
    return comments


def preset_keys_page() -> str:
    lines = [
        "# Preset keys",
        "",
        "Every key a preset may set, by section, with its default and meaning: made from the",
        "config dataclasses in `cftui/train/config.py` when the site is built. A key that is",
        "not here is refused (one line naming the file and the key, exit code 2). A method's",
        "own settings go in `[method.NAME]`: see [Method settings](method-settings.md).",
    ]
    for section, cls in SECTIONS.items():
        comments = field_comments(cls)
        lines += ["", f"## `[{section}]`", "", "| key | default | meaning |", "|---|---|---|"]
        for item in dataclasses.fields(cls):
            default = "{}" if item.default is dataclasses.MISSING else repr(item.default)
            lines.append(f"| `{item.name}` | `{cell(default)}` | {cell(comments[item.name])} |")
    return "\n".join(lines) + "\n"


def method_settings_page() -> str:
    lines = [
        "# Method settings",
        "",
        "Each method's settings, their defaults and bounds, made from the TOML file beside",
        "the method's code (`cftui/train/methods/NAME.toml`) when the site is built. Set one",
        "in a preset's `[method.NAME]` table or with `--set NAME.KEY=VALUE`.",
    ]
    for info in methods.METHODS:
        lines += ["", f"## `{info.name}`", "", cell(info.summary), "", f"Paper: {info.paper}"]
        if not info.defaults:
            lines += ["", "No settings."]
            continue
        lines += ["", "| setting | default | at most | what it is |", "|---|---|---|---|"]
        for key, default in info.defaults.items():
            most = methods.setting_text(info.most[key]) if key in info.most else ""
            about = cell(info.about[key])
            lines.append(f"| `{key}` | `{methods.setting_text(default)}` | {most} | {about} |")
    return "\n".join(lines) + "\n"


def results_page() -> str:
    """benchmarks/RESULTS.md, its links to files of the repository made plain text."""
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    return re.sub(r"\[([^\]]+)\]\((?!https?:)[^)]+\)", r"`\1`", text)


def on_files(files, config):
    from mkdocs.structure.files import File

    for path, function in PAGES.items():
        files.append(File.generated(config, path, content=globals()[function]()))
    for picture in sorted((ROOT / "tests" / "screenshots").iterdir()):  # the guides show them
        files.append(File.generated(config, f"screenshots/{picture.name}", abs_src_path=picture))
    return files
