"""The docs' scenario tables, generated: every method that fits each scenario's 2-D or digits
preset, over many seeds (a method's seeds trained at once), one JSON per preset, then
Markdown with the targets of issue 24 checked.

Run: python benchmarks/scenarios.py [--seeds 16] [--presets a,b] [--methods a,b] [--summary-only]
The JSON files (benchmarks/scenarios/<preset>.json, the shape of `cftui compare --json`) keep
every seed's accuracy matrix; --methods retrains only those methods and keeps the other
rows (after a default changes, only its method is measured again); --summary-only trains
nothing and prints the tables from them (tests/test_scenarios_table.py keeps the docs pages
of PAGES equal to that). `beside_paper()` puts the digits medians beside the published
split- and permuted-MNIST numbers kept in scenarios/papers.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from cftui.results.atomic import write_json
from cftui.results.summary import Outcome, Stats, summarize
from cftui.train import catalog, methods, validation

HERE = Path(__file__).parent / "scenarios"
PAGES = {  # docs page -> the presets whose tables it holds (tests keep them equal)
    "classes-2d.md": ("blobs-class", "blobs-task", "moons-domain"),
    "digits.md": ("digits-class", "digits-task", "digits-domain"),
}
PRESETS = tuple(preset for presets in PAGES.values() for preset in presets)
PROTOCOLS = ("split MNIST", "permuted MNIST")  # the papers' tables the digits stand beside
REGULARISERS = ("naive", "ewc", "si", "mas", "l2")  # no help in the class scenario
REHEARSAL = ("replay", "joint", "derpp", "er_ace", "icarl")  # the class scenario's remedies
TARGETS = {  # preset -> method -> (at most, at least) average final accuracy over the tasks
    "blobs-class": {  # issue 24: chance over 3 tasks + 0.15; rehearsal 0.85
        **dict.fromkeys(REGULARISERS, (1 / 3 + 0.15, None)),
        **dict.fromkeys(REHEARSAL, (None, 0.85)),
    },
    "blobs-task": dict.fromkeys(("ewc", "si"), (None, 0.9)),
    "digits-class": {  # issue 35: chance over 5 tasks + 0.15; rehearsal 0.80
        **dict.fromkeys(REGULARISERS, (1 / 5 + 0.15, None)),
        **dict.fromkeys(REHEARSAL, (None, 0.80)),
    },
    "digits-task": dict.fromkeys(("ewc", "si"), (None, 0.95)),
}


def run(preset: str, seeds: int, only: Sequence[str] = ()) -> None:
    """Every method that fits the preset over ``seeds`` seeds, kept as JSON; with ``only``,
    just those of them that fit it, their rows and summaries replacing theirs in the kept
    file (the others' are kept, with the date and commit each was measured at)."""
    out = HERE / f"{preset}.json"
    HERE.mkdir(exist_ok=True)
    old = json.loads(out.read_text()) if only else None
    if old is not None and old["seeds"] != list(range(seeds)):  # checked before training
        raise SystemExit(f"{out}: kept seeds {old['seeds']} are not 0..{seeds - 1}")
    fitting = validation.fitting_methods(catalog.resolve(preset))
    only = [name for name in only if name in fitting]
    if old is not None and not only:
        print(f"{preset}: none of the methods asked for fits it; kept as it is", flush=True)
        return
    fresh = out.with_suffix(".fresh.json") if only else out
    flags = ["compare", "--preset", preset, "--seeds", str(seeds), "--json", str(fresh)]
    flags += ["--methods", ",".join(only)] if only else []
    try:  # this checkout's cftui, whatever an editable install elsewhere points the script to
        subprocess.run([sys.executable, "-m", "cftui", *flags], check=True, cwd=HERE.parent.parent)
        result = json.loads(fresh.read_text())
    finally:
        if only:
            fresh.unlink(missing_ok=True)
    stamp = {
        "measured_on": datetime.date.today().isoformat(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
    }
    write_json(out, (_merged(old, result, stamp) if old is not None else result) | stamp)


def _merged(old: dict, fresh: dict, stamp: dict) -> dict:
    """The kept result with the methods of ``fresh`` (measured as ``stamp`` says) replacing
    theirs, in the registry's order, and each method's date and commit."""
    order = {name: i for i, name in enumerate(methods.names())}

    def rank(name: str) -> int:  # a method no longer registered goes last
        return order.get(name, len(order))

    rows = [r for r in old["runs"] if r["method"] not in fresh["summary"]] + fresh["runs"]
    summary = {**old["summary"], **fresh["summary"]}
    was = {"measured_on": old["measured_on"], "commit": old["commit"]}
    measured_at = {name: old.get("measured_at", {}).get(name, was) for name in old["summary"]}
    return fresh | {
        "runs": sorted(rows, key=lambda r: (rank(r["method"]), r["seed"])),
        "summary": dict(sorted(summary.items(), key=lambda item: rank(item[0]))),
        "measured_at": measured_at | dict.fromkeys(fresh["summary"], stamp),
    }


def load(preset: str) -> tuple[dict, dict]:
    result = json.loads((HERE / f"{preset}.json").read_text())
    outcomes = [
        Outcome(
            r["method"],
            r["seed"],
            r["loss_matrix"],
            r["seconds"],
            r["state"],
            None,
            r["accuracy_matrix"],
        )
        for r in result["runs"]
    ]
    return result, summarize(outcomes)


def verdict(preset: str, method: str, average: Stats) -> str:
    """✓ or ✗ against the target, with the target; empty where there is none."""
    most, least = TARGETS.get(preset, {}).get(method, (None, None))
    if most is not None:
        return f"{'✓' if average.median <= most else '✗'} ≤ {100 * most:.1f}"
    if least is not None:
        return f"{'✓' if average.median >= least else '✗'} ≥ {100 * least:.0f}"
    return ""


def markdown(preset: str) -> str:
    result, summary = load(preset)
    scenario = result["config"]["data"]["scenario"]
    lines = [
        f"**{preset}** ({scenario}-incremental; median (range) over {len(result['seeds'])} "
        f"seeds, measured {result['measured_on']} at {result['commit']}{_rerun(result)}):",
        "",
        "| method | average accuracy % | task 1 % | last task % | forgetting (points) | target |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in summary.items():
        average, first, last = row["average_accuracy"], row["accuracy"][0], row["accuracy"][-1]
        lines.append(
            f"| {name} | {_percent(average)} | {100 * first.median:.1f} "
            f"| {100 * last.median:.1f} | {100 * row['accuracy_forgetting'].median:+.1f} "
            f"| {verdict(preset, name, average)} |"
        )
    return "\n".join(lines) + "\n"


def beside_paper(protocol: str) -> str:
    """The digits presets' median average accuracy beside a paper's ``protocol`` (a key of
    scenarios/papers.json: its split MNIST or permuted MNIST table), scenario by scenario,
    for the methods both have."""
    paper = json.loads((HERE / "papers.json").read_text())[protocol]
    presets = paper["presets"]  # scenario -> the digits preset that stands for it
    medians = {
        scenario: {
            name: 100 * row["average_accuracy"].median for name, row in load(preset)[1].items()
        }
        for scenario, preset in presets.items()
    }
    head = " | ".join(f"{preset} % | {protocol} {s.title()}-IL %" for s, preset in presets.items())
    lines = [
        f"cftui's digits (median of 16 seeds) beside {paper['what']} in {paper['source']}:",
        "",
        f"| method | {head} |",
        "|---|" + "---|" * (2 * len(presets)),
    ]
    for name, cells in paper["methods"].items():
        row = " | ".join(
            f"{_cell(medians[s].get(name), 1)} | {_cell(cells[s], 2)}" for s in presets
        )
        lines.append(f"| {name} ({cells['paper']}) | {row} |")
    return "\n".join(lines) + "\n"


def _rerun(result: dict) -> str:
    """Where only some methods were measured again: which, and when the others were."""
    groups: dict[tuple[str, str], list[str]] = {}
    for name, at in result.get("measured_at", {}).items():
        groups.setdefault((at["measured_on"], at["commit"]), []).append(name)
    if len(groups) < 2:
        return ""
    latest = (result["measured_on"], result["commit"])
    by_size = sorted((k for k in groups if k != latest), key=lambda k: (-len(groups[k]), k))
    others, *earlier = by_size  # the largest group (the oldest of equals): "the others"
    parts = [", ".join(groups[latest])]
    parts += [f"{', '.join(groups[k])} {k[0]} at {k[1]}" for k in earlier]
    return f" ({'; '.join(parts)}; the others {others[0]} at {others[1]})"


def _cell(percent: float | None, places: int) -> str:
    """A percentage (cftui's to 1 place, the paper's as printed, to 2), or a dash where
    there is none (a method that does not fit the scenario)."""
    return "–" if percent is None else f"{percent:.{places}f}"


def _percent(stats: Stats) -> str:
    return f"{100 * stats.median:.1f} ({100 * stats.low:.0f}–{100 * stats.high:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument("--presets", default=",".join(PRESETS), help="train these (A,B)")
    parser.add_argument("--methods", default="", help="retrain only these (A,B)")
    parser.add_argument("--summary-only", action="store_true")
    args = parser.parse_args()
    only = [name for name in args.methods.split(",") if name]
    if unknown := [name for name in only if name not in methods.names()]:
        parser.error(f"--methods: unknown method {', '.join(unknown)}")
    if only and args.summary_only:
        parser.error("--methods trains; --summary-only trains nothing")
    if not args.summary_only:
        for preset in args.presets.split(","):
            run(preset, args.seeds, only)
    print("\n".join(markdown(preset) for preset in PRESETS))
    print("\n".join(beside_paper(protocol) for protocol in PROTOCOLS))


if __name__ == "__main__":
    main()
