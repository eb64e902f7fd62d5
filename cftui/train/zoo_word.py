"""The generated zoo's word (benchmarks/zoo.py: presets nobody tuned a method on, three
draws, kept in zoo.json by benchmarks/zoo_table.py): what a method did over them, and what it
did on the ones like the preset being run.

A user's own preset has no measured row (measured.json holds the shipped ones), but the zoo
holds presets like it. What splits the methods' results there, measured (benchmarks/RESULTS.md,
the zoo's looks), is the network's activation (a relu unit silent on a task's points has zero
importance, and a later task wakes it there at no cost) and the noise (below LOW_NOISE the
last task of hnet, packnet and the pulls ends far above naive's, which fits it to about
noise²). So a regression's kind is those two, and a 2-D classification's its scenario. Where
a method on presets of that kind falls short of issue 30's goals, ``caution`` says by how
much; the advice line shows it while task 1 trains, ``cftui run`` before training, and the
explain pane beside the method's other numbers. No torch, no Textual.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from cftui.train import catalog, problem
from cftui.train.config import Config

LOW_NOISE = 0.035  # of the first zoo's 17 presets where hnet's last task ended over 3x naive's,
# 14 had noise below it (RESULTS.md, "The zoo, continued")
SMOOTH = ("sigmoid", "tanh")  # the activations the zoo drew besides relu; gelu it never drew
BEATS_NAIVE = 0.9  # issue 30's goals: task 1 ends below naive's on at least this share of the
LAST_WITHIN_3X = 0.8  # presets, and the last task within 3x naive's MSE on at least this one
ABOVE_NAIVE = 0.9  # classes: average accuracy above naive's on at least this share
HERE = Path(__file__).parent


def kind(activation: str, noise: float) -> str | None:
    """A regression preset's kind, in the words the app shows; None for an activation the
    zoo never drew."""
    if activation == "relu":
        net = "relu"
    elif activation in SMOOTH:
        net = "sigmoid or tanh"
    else:
        return None
    return f"{net}, noise {'<' if noise < LOW_NOISE else '≥'} {LOW_NOISE}"


def kind_of(config: Config) -> str | None:
    """``config``'s kind: a regression's activation and noise band, a 2-D preset's scenario;
    None where the zoo drew nothing like it (the digits, gelu)."""
    picture = problem.of(config).picture
    if picture == "fit":
        return kind(config.model.activation, config.data.noise)
    return f"2-D {config.data.scenario}-incremental" if picture == "regions" else None


def counts(zoo: dict[str, Any], config: Config, method: str) -> tuple[str, dict] | None:
    """The kind of ``config``'s preset and ``method``'s counts on the zoo's presets of that
    kind: ``presets`` and on how many ``beats_naive`` and ``last_within_3x`` (a regression)
    or ``above_naive`` (classes); None where the zoo has none like it (digits, gelu, or a
    method it has not measured)."""
    what = kind_of(config)
    if what is None:
        return None
    if not config.data.scenario:
        row = zoo["alike"].get(method, {}).get(what)
        return (what, row) if row else None
    row = zoo["classification"].get(method, {}).get(config.data.scenario)
    if not row:
        return None
    return what, {
        "presets": row["presets"],
        "above_naive": round(row["above_naive"] * row["presets"]),
    }


@functools.cache
def shipped_kind(name: str) -> str | None:
    """The kind of the shipped preset called ``name`` ("" where none is): a preset's measured
    numbers (measured.json, the docs' Classes in 2-D tables) were taken on that one, so they
    speak for a run of that name only while it is still that kind. A copy edited from sigmoid
    to relu that kept its name keeps the name's measured row but not its kind."""
    path = catalog.shipped(name)
    return kind_of(catalog.load(path)) if path else ""


def caution(zoo: dict[str, Any], config: Config, method: str) -> tuple[str, str] | None:
    """(long, short) words: where ``method`` fell short of a goal on the zoo's presets like
    this one, by how much; None where it met them (or naive, or nothing like it was drawn)."""
    found = None if method == "naive" else counts(zoo, config, method)
    if found is None:
        return None
    what, row = found
    n = row["presets"]
    like = f"of {n} zoo presets like this ({what})"
    if "above_naive" in row:
        if row["above_naive"] >= ABOVE_NAIVE * n:
            return None
        missed = n - row["above_naive"]
        return (
            f"{method} ended no better than naive on {missed} {like}",
            f"zoo: {method} no better than naive on {missed}/{n} like this",
        )
    if row["beats_naive"] < BEATS_NAIVE * n:
        missed = n - row["beats_naive"]
        return (
            f"{method} ended task 1 no better than naive on {missed} {like}",
            f"zoo: {method}'s task 1 no better than naive's on {missed}/{n} like this",
        )
    if row["last_within_3x"] < LAST_WITHIN_3X * n:
        missed = n - row["last_within_3x"]
        return (
            f"{method}'s last task ended over 3x naive's MSE on {missed} {like}",
            f"zoo: {method}'s last task >3x naive's on {missed}/{n} like this",
        )
    return None


def pane_line(zoo: dict[str, Any], config: Config, method: str) -> str | None:
    """The explain pane's line: ``method`` on the zoo's regression presets of this kind."""
    found = None if method == "naive" else counts(zoo, config, method)
    if found is None or "beats_naive" not in found[1]:
        return None  # a 2-D preset's scenario rows are the pane's zoo lines already
    what, row = found
    return (
        f"**On presets like this one** ({what}; {row['presets']} in the zoo's draws): task 1"
        f" ended below naive's on {row['beats_naive']}, the last task within 3x naive's on"
        f" {row['last_within_3x']}."
    )


@functools.cache
def zoo() -> dict[str, Any]:
    """zoo.json: per method, its numbers over the generated presets (benchmarks/zoo_table.py)."""
    return json.loads((HERE / "zoo.json").read_text(encoding="utf-8"))


def zoo_lines(name: str) -> list[str]:
    """What ``name`` did on presets nobody tuned it on, beside the shipped presets' numbers;
    nothing for a method the zoo has not measured (one written since)."""
    data, lines = zoo(), []
    row = data["regression"].get(name)
    if row and name != "naive":
        lines.append(
            f"**On the generated zoo** ({row['presets']} regression presets drawn at random,"
            f" medians of {data['seeds']} seeds; {data['measured_on']}): task 1 ends below"
            f" naive's on {row['beats_naive']:.0%} of them, a median cut of"
            f" {row['median_cut']:.0%}, at least 80 % cut on {row['cut_80']:.0%}; the last task"
            f" within 3x naive's on {row['last_within_3x']:.0%}."
        )
    held = data["held_out"]["regression"].get(name)
    if held and name != "naive":  # a second draw: the first's shares were a lucky one
        chose = name in data["held_out"]["chose"]
        when = (
            "its present default was then chosen with it in view"
            if chose
            else "measured after the defaults were chosen"
        )
        lines.append(
            f"On a second draw of {held['presets']} regression presets, {when}: below"
            f" naive's on {held['beats_naive']:.0%}, a median cut of {held['median_cut']:.0%};"
            f" the last task within 3x naive's on {held['last_within_3x']:.0%}."
        )
    third = data["third"]["regression"].get(name)
    if third and name != "naive":  # the check of a default chosen on the second draw
        lines.append(
            f"On a third draw of {third['presets']}, measured after that choice: task 1"
            f" cut ≥ 80 % on {third['cut_80']:.0%}, the last task within 3x naive's on"
            f" {third['last_within_3x']:.0%}."
        )
    for scenario, r in data["classification"].get(name, {}).items():
        lines.append(
            f"- {scenario}-incremental 2-D zoo ({r['presets']} presets): average accuracy"
            f" {r['median_accuracy']:.2f} (median), above naive's on {r['above_naive']:.0%}"
        )
    return lines
