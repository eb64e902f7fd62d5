"""Why each method does what it does, and what it measurably did: the text of the explain pane.

The app shows *what* a method does (the fit, the losses); this says *why*: the idea, the update
as a formula, what raising each setting trades, the paper, what the method needs, when it
fails, and its measured effect on the current preset. The words are plain data: a method's
beside its code in methods/<name>.toml (methods.info), a data family's in explain.toml. The
numbers are never typed by hand: they come from measured.json, which
benchmarks/method_tables.py derives from every seed's loss matrix, and the zoo's (zoo_word.py),
from generated presets no default was chosen on. A preset
with no measured row (a user's own), or a run set up differently from the measured one, says
so. No torch, no Textual: the pane and the tour render what this returns.
"""

from __future__ import annotations

import functools
import json
import tomllib
from pathlib import Path
from typing import Any

from cftui.train import catalog, methods, problem, zoo_word
from cftui.train.config import Config

HERE = Path(__file__).parent
FAMILY_FIELDS = ("idea", "formula", "source", "fails", "settings")
CLASSES_NOTE = "; the loss is cross-entropy over the classes the scenario lets answer"
FORMULA_MARKS = {"regression": "regression: ", "classification": "classes: "}  # a formula's
# line that holds for one problem kind only begins so
CE_NOTE = "CE: the cross-entropy over the classes the scenario lets answer (softmax of the logits)"
SCENARIO_WORDS = {  # [data] scenario -> how the pane says it
    "": "each task on its own x-range, one after another",
    "class": "class-incremental: each task brings new classes; no task id at test",
    "task": "task-incremental: each task brings new classes; the task id is given at test",
    "domain": "domain-incremental: the same classes in every task, the inputs moved",
}


@functools.cache
def texts() -> dict[str, Any]:
    """explain.toml: ``family`` (one entry each) and ``data`` (the keys they share)."""
    return tomllib.loads((HERE / "explain.toml").read_text(encoding="utf-8"))


@functools.cache
def measured() -> dict[str, Any]:
    """measured.json's presets: per preset, its setup and per method the medians."""
    return json.loads((HERE / "measured.json").read_text(encoding="utf-8"))["presets"]


def caution(config: Config, method: str) -> tuple[str, str] | None:
    """(long, short) words for the advice line where ``method`` fell short of a goal on the
    zoo's presets like this one (zoo_word.py); None where numbers measured on this very preset
    speak (a shipped regression's row, a shipped 2-D preset's docs tables) and the run is
    still of the kind they were measured on."""
    own = measured_row(config, method) is not None or bool(config.data.scenario)
    if own and zoo_word.shipped_kind(config.name) == zoo_word.kind_of(config):
        return None
    return zoo_word.caution(zoo_word.zoo(), config, method)


def measured_row(config: Config, method: str) -> dict[str, Any] | None:
    """The measured numbers of ``method`` on ``config``'s preset, or None when not measured."""
    preset = measured().get(config.name)
    return preset["methods"].get(method) if preset else None


def differences(config: Config, method: str) -> list[str]:
    """The keys in which ``config`` (run with ``method``) differs from what was measured on
    its preset: ``train.epochs``, ``ewc.lambda``, ...; the seed is not one (16 were run)."""
    preset = measured()[config.name]
    now = json.loads(json.dumps(config.to_dict()))  # lists, as the JSON holds them
    keys = [
        f"{section}.{key}"
        for section, table in preset["setup"].items()
        for key, value in table.items()
        if now[section][key] != value
    ]
    settings = json.loads(json.dumps(dict(config.method.of(method))))
    shipped = preset["methods"][method]["settings"]
    return keys + [f"{method}.{key}" for key in settings if settings[key] != shipped.get(key)]


def effect_line(config: Config, method: str) -> str:
    """One line of what ``method`` measurably did to task 1 on this preset, or why not."""
    row = measured_row(config, method)
    if row is None and config.data.scenario and catalog.shipped(config.name):
        return (  # a shipped 2-D preset; one of yours has no table: said below, as any other
            "the 2-D presets are measured in the docs' Classes in 2-D tables (16 seeds,"
            " benchmarks/scenarios.py); this pane carries the regression presets' numbers"
        )
    if row is None and config.name in measured():
        return f"{method} was not measured on {config.name} (methods added since, or your own)"
    if row is None:
        return (
            f"no measured numbers for preset {config.name}: only the shipped presets were measured"
        )
    naive = measured()[config.name]["methods"]["naive"]
    said = (
        f"measured on {config.name}, median of {row['seeds']} seeds: task 1 ends at"
        f" {row['task1']:.3g}"
    )
    if method == "naive":
        return f"{said}, {measured()[config.name]['naive']['growth']:.0f}x its loss after task 1"
    return f"{said} against naive's {naive['task1']:.3g} ({row['vs_naive']:.2g}x)"


def method_markdown(config: Config, name: str) -> str:
    """The method tab: ``name`` explained, with this run's settings and measured effect."""
    info = methods.info(name)
    values = config.method.of(name)
    settings = [
        f"- `{key}` = {methods.setting_text(values[key])}"
        f" (default {methods.setting_text(info.defaults[key])}): {about}"
        for key, about in info.about.items()
    ] or ["- none"]
    scenario = "told the task id (task-incremental)" if info.task_aware else "sees x alone"
    if config.data.scenario:  # a 2-D preset's scenario decides what every method is told
        scenario = SCENARIO_WORDS[config.data.scenario] + CLASSES_NOTE
    lifetime = {"run": "one for the whole run", "task": "a fresh one at each task"}
    run_lifetime = config.with_overrides(method=name).optimizer_lifetime
    return "\n".join(
        [
            f"# {name}: {info.summary}",
            "",
            info.idea,
            "",
            "**Update**",
            "",
            *_quoted(formula_for(info.formula, problem.of(config).kind)),
            "",
            "**Settings** (this run's value, the default: what raising it trades)",
            "",
            *settings,
            "",
            f"**Paper**: {info.paper}",
            "",
            f"**Scenario**: {scenario}; needs {info.needs}",
            "",
            f"**Optimizer**: {lifetime[run_lifetime]} in this run; its paper:"
            f" {lifetime[info.optimizer_lifetime]} ([train] optimizer_lifetime)",
            "",
            f"**When it fails**: {info.fails}",
            "",
            *_method_effect(config, name),
        ]
    )


def formula_for(formula: str, kind: str) -> str:
    """A method's update as ``kind`` of problem poses it: its lines marked for the other
    kind left out, and the marks of its own dropped; a formula written for the regression
    alone reads its MSE as the cross-entropy (CE) for classes, and says what CE is."""
    lines = formula.strip().splitlines()
    own = FORMULA_MARKS[kind]
    if not any(line.startswith(own) for line in lines):
        if kind == "classification" and "MSE" in formula:
            return "\n".join([*(line.replace("MSE", "CE") for line in lines), CE_NOTE])
        return "\n".join(lines)
    others = tuple(mark for mark in FORMULA_MARKS.values() if mark != own)
    return "\n".join(line.removeprefix(own) for line in lines if not line.startswith(others))


def _method_effect(config: Config, name: str) -> list[str]:
    """This preset's measured numbers, then on which presets the method meets the goal
    (benchmarks/method_tables.py: a cut of task 1's loss, the last task kept)."""
    row, where = measured_row(config, name), []
    if name != "naive" and any(name in e["methods"] for e in measured().values()):
        ok = {p: e["methods"][name]["ok"] for p, e in measured().items() if name in e["methods"]}
        met = ", ".join(p for p, good in ok.items() if good) or "none"
        missed = ", ".join(p for p, good in ok.items() if not good) or "none"
        where = [f"Goal met (✓) on the regression presets: {met}; missed (✗) on: {missed}."]
    if zoo_lines := zoo_word.zoo_lines(name):
        where += ["", *zoo_lines]
    like = zoo_word.pane_line(zoo_word.zoo(), config, name)
    if row is None:  # a user's own preset: the zoo's presets like it say the most
        return [
            f"**Measured**: {effect_line(config, name)}.",
            *(["", like] if like else []),
            "",
            *where,
        ]
    naive, preset = measured()[config.name]["methods"]["naive"], measured()[config.name]
    low, high = row["task1_range"]
    lines = [
        f"**Measured on {config.name}** (median of {row['seeds']} seeds, each with the same"
        f" data and initial weights as naive; {preset['measured_on']}):",
        "",
        f"- task 1 after the last task: {row['task1']:.3g} (range {low:.2g}–{high:.2g});"
        f" naive: {naive['task1']:.3g}",
    ]
    if name != "naive":
        lines += [
            f"- that is {row['vs_naive']:.2g}x naive's; at least 10 % lower than naive's on"
            f" {row['wins']} of {row['versus']} seeds",
            f"- last task: {row['last']:.3g}, {row['last_vs_naive']:.2g}x naive's"
            f" {naive['last']:.3g}" + (" ✓" if row["ok"] else " ✗"),
        ]
    if row["failed"]:
        lines.append(f"- {row['failed']} seeds diverged")
    if changed := differences(config, name):
        lines.append(f"- measured with the shipped setup; this run differs in {', '.join(changed)}")
    return [*lines, "", *where, *(["", like] if like else [])]


def family_markdown(config: Config) -> str:
    """The data family tab: how the tasks are made, this run's values, and how much naive
    forgets on this preset."""
    family, scenario = config.data.family, config.data.scenario
    kind = "plane" if scenario else "line"  # a 2-D classification's keys, or a regression's
    text = texts()["family"][family]
    shared = {**texts()[kind]["settings"], **texts()["data"]["settings"]}
    data = config.to_dict()["data"]
    settings = [
        f"- `{key}` = {_value(data[key])}: {about}"
        for key, about in {**text["settings"], **shared}.items()
    ]
    return "\n".join(
        [
            f"# data: {family} (preset {config.name})",
            "",
            text["idea"],
            "",
            "**Made as**",
            "",
            *_quoted(text["formula"]),
            "",
            "**Settings** (this run's value: what it does)",
            "",
            *settings,
            "",
            f"**Source**: {text['source']}",
            "",
            f"**Scenario**: {SCENARIO_WORDS[scenario]}",
            "",
            f"**What it does to the methods**: {text['fails']}",
            "",
            *_family_effect(config),
        ]
    )


def _family_effect(config: Config) -> list[str]:
    preset = measured().get(config.name)
    if preset is None:
        return [f"**Measured**: {effect_line(config, 'naive')}."]
    naive, rows = preset["naive"], preset["methods"]
    lines = [
        f"**Measured on {config.name}** (median of {len(preset['seeds'])} seeds,"
        f" {preset['measured_on']}):",
        "",
        f"- naive: task 1 at {naive['after_task1']:.3g} after task 1,"
        f" {rows['naive']['task1']:.3g} after the last ({naive['growth']:.0f}x at the median"
        " seed)",
        f"- goal met (✓): {', '.join(m for m, row in rows.items() if row['ok'])}",
        f"- missed (✗): {', '.join(m for m, r in rows.items() if m != 'naive' and not r['ok'])}",
    ]
    if changed := differences(config, "naive"):
        lines.append(f"- measured with the shipped setup; this run differs in {', '.join(changed)}")
    return lines


def _quoted(formula: str) -> list[str]:
    """A formula as a quote, a paragraph per line: it wraps (a code block would be cut)."""
    return [*"\n>\n".join(f"> {line}" for line in formula.splitlines()).splitlines(), ""]


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]" if value else "(empty)"
    return methods.setting_text(value) if isinstance(value, bool | int | float) else str(value)
